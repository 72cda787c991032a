"""The desktop bundle and its start-up hook.

The start-up hook (WORKBENCH_EXIT_WHEN_SHOWN=1, used by the bundle's smoke test and to time start-up) is tested on
every run through the installed `workbench` command. Building the bundle is slow (many minutes, gigabytes): that
test runs only when asked with WORKBENCH_TEST_INSTALLER=1 (or `make installer`, which runs the same script).
"""

import os
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKBENCH = [sys.executable, "-m", "workbench"]


def _env() -> dict:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", WORKBENCH_EXIT_WHEN_SHOWN="1")
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture(scope="module")
def tone(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("installer") / "tone.wav"
    sr = 16000
    x = (0.5 * np.sin(2 * np.pi * 220.0 * np.arange(sr) / sr) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(x.tobytes())
    return path


def test_exit_when_shown_reports_start_up_time_and_exits_cleanly(tone):
    out = subprocess.run([*WORKBENCH, str(tone)], env=_env(), capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("window shown after ")]
    assert len(lines) == 1, out.stdout
    seconds = float(lines[0].split()[3])
    assert 0.0 < seconds < 300.0
    assert "since process start" in lines[0]


def test_exit_when_shown_fails_on_a_file_that_cannot_be_opened(tmp_path):
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF this is not audio")
    out = subprocess.run([*WORKBENCH, str(bad)], env=_env(), capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "opening failed" in out.stdout


def test_process_start_time_is_before_now():
    import time

    from workbench.gui.smoke import process_start_time

    started, what = process_start_time()
    assert what == ("process start" if Path("/proc/self/stat").exists() else "smoke module import")
    assert 0.0 <= time.time() - started < 24 * 3600  # this test process started before now, today


@pytest.mark.installer
@pytest.mark.skipif(os.environ.get("WORKBENCH_TEST_INSTALLER") != "1", reason="set WORKBENCH_TEST_INSTALLER=1 to build the bundle")
def test_bundle_builds_and_passes_smoke_test():
    out = subprocess.run(["bash", "installers/build_linux.sh"], cwd=ROOT, capture_output=True, text=True, timeout=3600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert "smoke test passed" in out.stdout
    assert (ROOT / "dist" / "audio-workbench" / "audio-workbench.desktop").is_file()
