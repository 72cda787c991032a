"""Loud input: a float WAV far above full scale (peak 1000) is normalised for models that need [-1, 1] and the
user is told. Without it Whisper invents text for such a file."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from workbench.core.audio import tame_loud
from workbench.core.audio_io import load_audio
from workbench.core.params import resolve_params
from workbench.core.plugin_api import JobContext, run_process
from workbench.core.registry import default_registry


def test_tame_loud_scales_only_what_is_above_full_scale():
    quiet = np.array([0.5, -0.25], np.float32)
    same, warning = tame_loud(quiet)
    assert same is quiet and warning is None
    loud, warning = tame_loud(np.array([1000.0, -500.0], np.float32))
    np.testing.assert_allclose(loud, [1.0, -0.5])
    assert "1e+03x full scale" in warning and "+60.0 dB" in warning


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng makes the test speech")
def test_speech_at_peak_1000_is_transcribed_with_a_warning(tmp_path):
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(tmp_path / "s.wav"),
                    "The quick brown fox jumps over the lazy dog."], check=True, capture_output=True)
    x, sr = sf.read(tmp_path / "s.wav", dtype="float32")
    sf.write(tmp_path / "loud.wav", 1000.0 * x / np.abs(x).max(), sr, subtype="FLOAT")
    audio = load_audio(tmp_path / "loud.wav")
    manifest = default_registry().get("asr")
    layers = run_process(manifest, audio, resolve_params(manifest.params, {"model": "base", "beam_size": 1}),
                         JobContext())
    text = layers[0].text.lower()
    assert "fox" in text and "lazy" in text, text
    assert any("full scale" in w for w in layers[0].metadata.get("warnings", []))
