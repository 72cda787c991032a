"""AudioBuffer is immutable; derived buffers (mono, resample, slice) are new and correct."""

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer


def test_buffer_is_read_only_and_copies_caller_array():
    x = np.zeros((2, 100), np.float32)
    buf = AudioBuffer(x, 8000)
    x[0, 0] = 1.0
    assert buf.samples[0, 0] == 0.0
    with pytest.raises(ValueError):
        buf.samples[0, 0] = 1.0


def test_mono_resample_slice():
    sr = 16000
    t = np.arange(sr) / sr
    left = np.sin(2 * np.pi * 440 * t)
    buf = AudioBuffer(np.stack([left, -left * 0 + left]), sr)
    mono = buf.mono()
    assert mono.channels == 1 and np.allclose(mono.samples[0], left, atol=1e-6)
    down = buf.mono(8000)
    assert down.sample_rate == 8000 and down.num_samples == 8000
    spec = np.abs(np.fft.rfft(down.samples[0]))
    assert abs(np.argmax(spec) - 440) <= 1  # 1 Hz bins for a 1 s signal
    part = buf.slice(0.25, 0.5)
    assert part.num_samples == 4000 and part.sample_rate == sr
    assert buf.slice(2.0, 3.0).num_samples == 0


def test_bad_sample_rate_and_shape():
    with pytest.raises(ValueError):
        AudioBuffer(np.zeros(10), 0)
    with pytest.raises(ValueError):
        AudioBuffer(np.zeros((1, 2, 3)), 8000)


def test_mono_input_array_is_not_shared_with_the_caller():
    x = np.zeros(100, np.float32)
    buf = AudioBuffer(x, 8000)
    x[0] = 1.0
    assert buf.samples[0, 0] == 0.0


def test_adopt_wraps_without_copying_and_freezes():
    x = np.zeros((2, 1000), np.float32)
    buf = AudioBuffer.adopt(x, 8000)
    assert np.shares_memory(buf.samples, x) and not buf.samples.flags.writeable
