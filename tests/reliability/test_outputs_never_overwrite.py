"""Outputs never replace inputs or leave half results: `analyze --out` equal to the input (any spelling, hard
link), extra stem files landing on the input, bad --out / --start rejected before the model runs, full and
read-only disks (injected), and multi-file exports that are all-or-nothing."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile as sf

from workbench.cli import commands
from workbench.cli.main import main
from workbench.core.audio import AudioBuffer
from workbench.core.errors import WorkbenchError
from workbench.core.export import export_layers
from workbench.core.export import atomic
from workbench.core.export.atomic import protected_inputs
from workbench.core.layers import Tracks

SR = 16000


@pytest.fixture
def recording(tmp_path):
    x = (0.3 * np.sin(2 * np.pi * 220 * np.arange(SR) / SR)).astype(np.float32)
    path = tmp_path / "rec" / "v.wav"
    path.parent.mkdir()
    sf.write(path, x, SR)
    return path


@pytest.fixture
def model_must_not_run(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("the model ran although the command line was already known to be wrong")

    monkeypatch.setattr(commands, "run_plugin_on_file", refuse)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def _out_spellings(rec):
    link = rec.parent / "link.wav"
    link.symlink_to(rec)
    hard = rec.parent / "hard.wav"
    os.link(rec, hard)
    return {"same": str(rec), "dotdot": str(rec.parent / ".." / "rec" / "v.wav"), "symlink": str(link),
            "hard link": str(hard)}


@pytest.mark.parametrize("spelling", ["same", "dotdot", "symlink", "hard link"])
def test_out_equal_to_the_input_is_refused_before_running(recording, spelling, capsys, model_must_not_run):
    before = recording.read_bytes()
    out = _out_spellings(recording)[spelling]
    assert main(["analyze", str(recording), "--plugin", "pitch", "--out", out]) == 2
    assert "input file" in _one_error_line(capsys)
    assert recording.read_bytes() == before


def test_extra_output_files_never_replace_the_input(tmp_path):
    """`--out stems.wav` writes stems_vocals.wav...: when that is the input, nothing is written at all."""
    src = tmp_path / "stems_vocals.wav"
    sf.write(src, np.zeros(800, np.float32), SR)
    before = src.read_bytes()
    layer = Tracks(name="stems", tracks={n: AudioBuffer(np.full((1, 800), 0.1, np.float32), SR)
                                         for n in ("vocals", "accompaniment")})
    with protected_inputs(src), pytest.raises(WorkbenchError, match="input file"):
        export_layers([layer], tmp_path / "stems.wav")
    assert src.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stems_vocals.wav"]  # no accompaniment either


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_start_nan_is_one_line(recording, value, capsys):
    assert main(["analyze", str(recording), "--plugin", "pitch", f"--start={value}", "--out",
                 str(recording.parent / "f0.csv")]) == 2
    assert "--start" in _one_error_line(capsys)


def test_bad_out_extension_is_refused_before_the_model_runs(recording, capsys, model_must_not_run):
    assert main(["analyze", str(recording), "--plugin", "pitch", "--out", str(recording.parent / "f0.docx")]) == 2
    line = _one_error_line(capsys)
    assert ".docx" in line and ".csv" in line


@pytest.mark.parametrize("err", [errno.EROFS, errno.ENOSPC, errno.EACCES])
def test_read_only_or_full_output_disk_is_one_line(recording, err, capsys, monkeypatch):
    def failing_replace(src, dst):
        raise OSError(err, os.strerror(err))

    monkeypatch.setattr(atomic.os, "replace", failing_replace)
    out = recording.parent / "f0.csv"
    assert main(["analyze", str(recording), "--plugin", "pitch", "--out", str(out)]) == 2
    line = _one_error_line(capsys)
    assert str(out) in line and {errno.EROFS: "read-only", errno.ENOSPC: "disk is full",
                                 errno.EACCES: "permission denied"}[err] in line
    assert not out.exists() and sorted(p.name for p in recording.parent.iterdir()) == ["v.wav"]


def _two_stems(value: float, seconds=(1.0, 2.0)) -> Tracks:
    return Tracks(name="stems", tracks={n: AudioBuffer(np.full((1, int(s * SR)), value, np.float32), SR)
                                        for n, s in zip(("vocals", "accompaniment"), seconds)})


def test_full_disk_during_a_two_stem_export_changes_nothing(tmp_path, monkeypatch):
    """The second stem hits a full disk: the old vocals and old accompaniment both stay, no temp is left."""
    export_layers([_two_stems(0.1)], tmp_path / "stems.wav")
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_write = sf.write
    calls = []

    def write_then_fail(file, data, *a, **k):
        calls.append(file)
        if len(calls) == 2:
            with open(file, "wb") as fh:
                fh.write(b"half")
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(file, data, *a, **k)

    monkeypatch.setattr(sf, "write", write_then_fail)
    with pytest.raises(WorkbenchError, match="disk is full"):
        export_layers([_two_stems(0.5)], tmp_path / "stems.wav")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old


def test_failed_rename_half_way_puts_the_old_files_back(tmp_path, monkeypatch):
    export_layers([_two_stems(0.1)], tmp_path / "stems.wav")
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    real_replace = os.replace
    renames = []

    def replace_fails_late(src, dst):
        renames.append(dst)
        if str(dst) == str(tmp_path / "stems_accompaniment.wav") and not renames[:-1].count(dst):
            # once: the old files are moved aside and the new vocals placed when this rename fails
            raise OSError(errno.EIO, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace_fails_late)
    with pytest.raises(WorkbenchError):
        export_layers([_two_stems(0.5)], tmp_path / "stems.wav")
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old


def test_real_write_failure_in_a_size_limited_process(tmp_path):
    """Not a mock: the kernel refuses to grow a file past RLIMIT_FSIZE (like a full disk, without root)."""
    script = textwrap.dedent(f"""
        import resource, signal, sys
        import numpy as np
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        from workbench.core.audio import AudioBuffer
        from workbench.core.export import export_layers
        from workbench.core.errors import WorkbenchError
        from workbench.core.layers import Tracks
        def stems(v):
            return Tracks(name="stems", tracks={{"vocals": AudioBuffer(np.full((1, 16000), v, np.float32), 16000),
                          "accompaniment": AudioBuffer(np.full((1, 160000), v, np.float32), 16000)}})
        export_layers([stems(0.1)], {str(tmp_path / "stems.wav")!r})
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))  # vocals fit (64 KB), accompaniment not
        try:
            export_layers([stems(0.5)], {str(tmp_path / "stems.wav")!r})
        except WorkbenchError as exc:
            print("ERROR", exc)
            sys.exit(3)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    line = proc.stdout.strip()
    assert line.startswith(f"ERROR Cannot write '{tmp_path / 'stems_accompaniment.wav'}'") and "\n" not in line, line
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["stems_accompaniment.wav", "stems_vocals.wav"], files
    for name in files:
        assert np.allclose(sf.read(tmp_path / name)[0], 0.1), name  # both still the old export
