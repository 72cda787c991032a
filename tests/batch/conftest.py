"""Helpers for the batch tests: short generated audio files and the `workbench batch` command run as a user runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.plugins import synth

WORKBENCH = Path(sys.executable).parent / "workbench"  # the console script next to the venv's python
ENV = os.environ | {"OMP_NUM_THREADS": "1", "RAY_AUTH_MODE": "disabled"}


def batch(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    exe = [str(WORKBENCH)] if WORKBENCH.is_file() else [sys.executable, "-m", "workbench"]
    return subprocess.run([*exe, "batch", *args], capture_output=True, text=True, timeout=timeout, env=ENV)


def write_glide(path: Path, f_start: float, f_end: float, seconds: float = 0.8, sr: int = 16000) -> Path:
    x, _ = synth.glide(f_start, f_end, seconds, sr)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, x, sr)  # format from the extension (.wav .WAV .mp3 .flac)
    return path


@pytest.fixture
def collection(tmp_path) -> Path:
    """A small collection with names that collide once the extension is dropped (song.wav/song.mp3, a.wav/a.WAV)."""
    root = tmp_path / "music"
    write_glide(root / "song.wav", 200, 300)
    write_glide(root / "song.mp3", 300, 200)
    write_glide(root / "a.wav", 150, 180)
    write_glide(root / "a.WAV", 400, 420)
    write_glide(root / "live" / "take1.wav", 250, 260)
    return root


def outputs(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every per-file result (not the job database, not the collection tables)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith((".workbench-batch", "collection."))}


def f0_mean(csv_bytes: bytes) -> float:
    """Geometric mean of the voiced f0 values of a pitch CSV (second column; a voiced column when there is one)."""
    lines = csv_bytes.decode().splitlines()
    header, rows = lines[0].split(","), [line.split(",") for line in lines[1:]]
    voiced = header.index("voiced") if "voiced" in header else None
    values = np.array([float(r[1]) for r in rows if voiced is None or r[voiced].strip() == "1"])
    values = values[values > 0]
    return float(np.exp(np.log(values).mean()))
