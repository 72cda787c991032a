"""`workbench library add|scan|query|list` on two synthetic songs and a transposed copy."""

from __future__ import annotations

import numpy as np
import soundfile as sf

from workbench.cli import main


def chords(path, seed: int, transpose: int = 0, seconds: float = 8.0, sr: int = 22050) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = np.zeros_like(t)
    for start in np.arange(0, seconds, 0.5):
        seg = (t >= start) & (t < start + 0.5)
        root = 57 + int(rng.integers(0, 12)) + transpose
        for iv in (0, 4, 7):
            y[seg] += np.sin(2 * np.pi * 440 * 2 ** ((root + iv - 69) / 12) * t[seg])
    sf.write(str(path), (0.2 * y).astype(np.float32), sr)


def test_library_commands(tmp_path, capsys):
    music = tmp_path / "music"
    music.mkdir()
    chords(music / "a.wav", 1)
    chords(music / "b.wav", 2)
    chords(music / "a_up3.wav", 1, transpose=3)
    db = str(tmp_path / "lib.sqlite")
    assert main(["library", "--db", db, "add", str(music)]) == 0
    assert "3 analysed" in capsys.readouterr().out
    assert main(["library", "--db", db, "scan"]) == 0
    assert "0 analysed, 3 unchanged" in capsys.readouterr().out
    assert main(["library", "--db", db, "query", str(music / "a.wav"), "--top-k", "2"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[1].split()[-1].endswith("a_up3.wav") and lines[1].split()[2] == "-3"
    assert main(["library", "--db", db, "list"]) == 0
    assert "3 tracks" in capsys.readouterr().out
    assert main(["library", "--db", db, "add", str(tmp_path / "nowhere")]) == 2
