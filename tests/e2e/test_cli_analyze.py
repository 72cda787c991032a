"""`workbench analyze` end to end, as a user runs it: the installed console script in a subprocess, real
models, output files read back. Also: bad input files give exit code 2 and one 'error:' line."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile as sf

from tests.plugins import synth

WORKBENCH = Path(sys.executable).parent / "workbench"  # the console script next to the venv's python
# One intra-op thread: on a machine shared with other work, more make small models spin-wait (no effect on results).
ENV = os.environ | {"OMP_NUM_THREADS": "1"}


def analyze(*args: str) -> subprocess.CompletedProcess:
    exe = [str(WORKBENCH)] if WORKBENCH.is_file() else [sys.executable, "-m", "workbench"]
    return subprocess.run([*exe, "analyze", *args], capture_output=True, text=True, timeout=300, env=ENV)


def test_pitch_to_csv(tmp_path):
    sr = 44100
    x, f0 = synth.glide(200.0, 300.0, 2.0, sr)
    wav = tmp_path / "glide.wav"
    sf.write(wav, x, sr)
    out = analyze(str(wav), "--plugin", "pitch", "--param", "hop_ms=20", "--out", str(tmp_path / "f0.csv"))
    assert out.returncode == 0, out.stderr
    assert "f0.csv" in out.stdout
    with open(tmp_path / "f0.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert list(rows[0]) == ["time", "value (Hz)"]  # voiced frames only (Sonic Visualiser's time-value CSV)
    times = np.array([float(r["time"]) for r in rows])
    values = np.array([float(r["value (Hz)"]) for r in rows])
    assert len(times) >= 0.95 * 2.0 / 0.02
    np.testing.assert_allclose(np.median(np.diff(times)), 0.02, atol=1e-6)
    truth = np.interp(times, np.arange(len(f0)) / sr, f0)
    right = np.abs(1200 * np.log2(np.maximum(values, 1e-3) / truth)) < 50
    assert right.mean() >= 0.95


def test_notes_to_midi(tmp_path):
    notes = synth.melody([60, 64, 67, 72, 67, 64, 60], note_s=0.35, gap_s=0.1, start_s=0.2)
    wav = tmp_path / "piano.wav"
    synth.render_notes(notes, synth.PIANO, sr=22050, folder=tmp_path)  # writes melody.mid / melody.wav
    os.replace(tmp_path / "melody.wav", wav)
    (tmp_path / "melody.mid").unlink()
    out = analyze(str(wav), "--plugin", "notes", "--out", str(tmp_path / "notes.mid"))
    assert out.returncode == 0, out.stderr
    mid = mido.MidiFile(tmp_path / "notes.mid")
    now, onsets = 0.0, []
    for msg in mid:  # iterating a MidiFile gives delta times in seconds
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            onsets.append((now, msg.note))
    assert len(onsets) >= len(notes)
    for n in notes:  # every played note is there, on time
        assert any(p == n.pitch and abs(t - n.onset) < 0.05 for t, p in onsets), (n, onsets)


@pytest.mark.parametrize("make_bad", ["missing", "empty", "text"])
def test_bad_file_is_exit_code_2_and_one_error_line(tmp_path, make_bad):
    path = tmp_path / "input.wav"
    if make_bad == "empty":
        sf.write(path, np.zeros(0, np.float32), 16000)
    elif make_bad == "text":
        path.write_text("this is not audio\n" * 20)
    out = analyze(str(path), "--plugin", "pitch", "--out", str(tmp_path / "f0.csv"))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "input.wav" in lines[0], out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "f0.csv").exists()
