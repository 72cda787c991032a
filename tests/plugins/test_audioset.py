"""AudioSet tagging with YAMNet on sounds made here: speech, a siren, silence; layer shapes and times."""

from __future__ import annotations

import os
import subprocess
import tempfile

import numpy as np
import pytest
import soundfile as sf

from workbench.core.audio import AudioBuffer
from workbench.core.layers import Tags


@pytest.fixture(scope="module")
def plugin():
    from workbench_plugins.audioset import plugin as p

    return p


def _speech() -> tuple[np.ndarray, int]:
    with tempfile.TemporaryDirectory() as d:
        wp = os.path.join(d, "s.wav")
        subprocess.run(["espeak-ng", "-w", wp, "Hello, this is a test of the audio tagger. How are you today?"],
                       check=True, capture_output=True)
        x, sr = sf.read(wp, dtype="float32")
    return x, sr


def test_speech_clip_and_frames(plugin, job):
    x, sr = _speech()  # espeak's own rate (22.05 kHz): resampled inside
    tags = plugin.process(AudioBuffer(x, sr), {"top_k": 10}, job())[0]
    assert isinstance(tags, Tags) and len(tags.labels) == 10
    assert tags.top(1)[0][0] == "Speech" and tags.top(1)[0][1] > 0.5
    n = len(tags.frame_times)
    assert tags.frame_scores.shape == (n, 10)
    assert n == 1 + int(np.ceil((len(x) / sr - 0.96) / 0.48))
    assert np.allclose(np.diff(tags.frame_times), 0.48) and tags.frame_duration == pytest.approx(0.48)
    assert np.allclose(tags.frame_scores.mean(axis=0), tags.scores, atol=1e-5)  # mean pooling


def test_siren_and_silence(plugin, job):
    sr = 16000
    t = np.arange(4 * sr) / sr
    phase = 2 * np.pi * np.cumsum(1000 + 400 * np.sin(2 * np.pi * t / 3)) / sr
    siren = sum(np.sin(k * phase) / k for k in range(1, 9)) * 0.3
    x = np.concatenate([siren, np.zeros(3 * sr)]).astype(np.float32)
    tags = plugin.process(AudioBuffer(x, sr), {"top_k": 0, "pooling": "max"}, job())[0]
    assert len(tags.labels) == 521
    top3 = [name for name, _ in tags.top(3)]
    assert "Siren" in top3, top3
    siren_row = tags.frame_scores[:, tags.labels.index("Siren")]
    assert siren_row[tags.frame_times < 3.0].max() > 0.5 and siren_row[tags.frame_times > 5.0].max() < 0.2
