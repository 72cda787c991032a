"""Speech enhancement with RNNoise on real (espeak-ng) speech in noise: file mode, bad input, live monitor."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.contributions import resolve
from workbench.core.layers import Tracks
from workbench.core.registry import default_registry
from workbench.core.resample import resample_array
from workbench_plugins.enhance.plugin import process
from workbench_plugins.enhance.rnnoise import DELAY

from .synth import speech


def si_sdr(est: np.ndarray, ref: np.ndarray) -> float:
    a = np.dot(est, ref) / np.dot(ref, ref)
    return float(10 * np.log10(np.sum((a * ref) ** 2) / np.sum((est - a * ref) ** 2)))


@pytest.fixture(scope="module")
def noisy(tmp_path_factory):
    """(clean, noisy at 5 dB SNR with pink-ish noise) at 16 kHz."""
    x, sr = speech("Please bring your own coffee cup to the meeting tomorrow afternoon, and close the door.",
                   tmp_path_factory.mktemp("enh") / "s.wav", voice="en-us")
    clean = resample_array(x, sr, 16000)
    rng = np.random.default_rng(1)
    spec = np.fft.rfft(rng.standard_normal(len(clean)))
    noise = np.fft.irfft(spec / np.sqrt(np.maximum(np.arange(len(spec)), 1)), len(clean))
    noise *= np.sqrt(np.mean(clean ** 2) / np.mean(noise ** 2) / 10 ** 0.5)
    return clean.astype(np.float32), (clean + noise).astype(np.float32)


def test_file_enhancement_removes_noise(noisy, ctx):
    clean, mix = noisy
    (layer,) = process(AudioBuffer(mix[None], 16000, name="talk"), {"mix": 1.0, "refine": True}, ctx)
    assert isinstance(layer, Tracks) and list(layer.tracks) == ["clean"]
    out = layer.tracks["clean"]
    assert out.sample_rate == 16000 and out.samples.shape == (1, len(mix))
    gain = si_sdr(out.samples[0], clean) - si_sdr(mix, clean)
    assert gain > 5.0, f"SI-SDR improvement only {gain:.1f} dB"
    assert layer.metadata["model"] == "rnnoise"
    assert ctx.reports[-1][0] == 1.0


def test_stereo_and_44k_keep_shape(noisy, ctx):
    _, mix = noisy
    x = resample_array(np.stack([mix, 0.5 * mix]), 16000, 44100)
    (layer,) = process(AudioBuffer(x, 44100), {"refine": False}, ctx)
    assert layer.tracks["clean"].samples.shape == x.shape


def test_silence_stays_silent(ctx):
    (layer,) = process(AudioBuffer(np.zeros((1, 16000), np.float32), 16000), {}, ctx)
    out = layer.tracks["clean"].samples
    assert np.all(np.isfinite(out)) and np.max(np.abs(out)) < 1e-3


def test_live_monitor_cleans_with_small_latency(noisy, store, device):
    from workbench.core.plugin_api import JobContext

    clean, mix = noisy
    (live,) = default_registry().get("enhance").live
    assert live.monitor
    proc = resolve(live.factory)({}, JobContext(device=device, models=store))
    assert proc.sample_rate == 48000
    x48 = resample_array(mix, 16000, 48000)
    hop = int(live.hop_s * 48000) + 7  # hops that are not whole frames
    out = [proc.push(x48[i:i + hop], i / 48000) for i in range(0, len(x48), hop)]
    out.append(proc.flush())
    y = np.concatenate(out)
    assert len(y) >= len(x48) + DELAY
    assert proc.latency_s < 0.05
    y16 = resample_array(y[DELAY:DELAY + len(x48)], 48000, 16000)[:len(clean)]
    gain = si_sdr(y16, clean) - si_sdr(mix, clean)
    assert gain > 4.0, f"live SI-SDR improvement only {gain:.1f} dB"
