"""Ring buffer, live spectrogram and streaming driver without an audio device."""

from __future__ import annotations

import time
import tracemalloc

import numpy as np
import pytest

from workbench.core.layers import Curve
from workbench.live.recorder import Recorder
from workbench.live.ring_buffer import RingBuffer
from workbench.live.spectrogram import LiveSpectrogram
from workbench.live.streaming import StreamDriver


def test_ring_buffer_wraps_and_readers_see_every_frame():
    ring = RingBuffer(1000, 2)
    reader = ring.reader()
    x = np.arange(5000, dtype=np.float32).reshape(-1, 1).repeat(2, axis=1)
    got = []
    for i in range(0, 5000, 333):
        ring.write(x[i:i + 333])
        got.append(reader.read())
    assert np.array_equal(np.concatenate(got), x)
    assert reader.lost == 0


def test_ring_buffer_counts_what_a_slow_reader_lost():
    ring = RingBuffer(1000, 1)
    reader = ring.reader()
    data = np.arange(2500, dtype=np.float32).reshape(-1, 1)
    for i in range(0, 2500, 500):
        ring.write(data[i:i + 500])
    out = reader.read()
    assert reader.lost == 1500 and len(out) == 1000
    assert np.array_equal(out[:, 0], np.arange(1500, 2500))


def test_ring_buffer_write_allocates_no_sample_memory():
    ring = RingBuffer(48000, 1)
    block = np.random.default_rng(0).standard_normal((512, 1)).astype(np.float32)
    ring.write(block)
    tracemalloc.start()
    for _ in range(200):
        ring.write(block)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 512 * 4  # less than one block: only small Python objects, never sample buffers


def test_live_spectrogram_matches_one_shot_and_finds_the_tone():
    sr = 48000
    x = np.sin(2 * np.pi * 1000.0 * np.arange(sr) / sr).astype(np.float32)
    one = LiveSpectrogram(sr).push(x)
    live = LiveSpectrogram(sr)
    rng = np.random.default_rng(1)
    cols, i = [], 0
    while i < len(x):
        n = int(rng.integers(1, 3000))
        cols.append(live.push(x[i:i + n]))
        i += n
    cols = np.concatenate(cols)
    assert cols.shape == one.shape
    np.testing.assert_allclose(cols, one, atol=1e-3)
    peak = live.frequencies[np.argmax(one.mean(axis=0))]
    assert abs(peak - 1000.0) <= sr / 2048
    assert abs(one.max() - live.db_range[1]) < 1.0  # a full-scale sine reaches the top of the display range
    mel = LiveSpectrogram(sr, kind="mel").push(x)
    band = LiveSpectrogram(sr, kind="mel").frequencies[np.argmax(mel.mean(axis=0))]
    assert 850 < band < 1150


def test_recorder_keeps_blocks_in_order():
    rec = Recorder(16000, 1)
    rec.append(np.ones((100, 1), np.float32))  # not recording yet: ignored
    rec.start(1.5)
    for k in range(4):
        rec.append(np.full((160, 1), k, np.float32))
    buf = rec.to_buffer("take")
    assert buf.num_samples == 640 and buf.sample_rate == 16000 and rec.start_time == 1.5
    assert np.array_equal(buf.samples[0, ::160], [0, 1, 2, 3])


class ZeroCrossingPitch:
    """A tiny real processor for driver tests: frequency of each hop from its zero crossings."""

    sample_rate = 16000

    def __init__(self):
        self.t0s, self.lengths = [], []

    def push(self, samples, t0):
        self.t0s.append(t0)
        self.lengths.append(len(samples))
        crossings = np.count_nonzero(np.diff(np.signbit(samples)))
        f = crossings / 2 / (len(samples) / self.sample_rate)
        return [Curve(name="zc", times=[t0], values=[f], unit="Hz")]

    def flush(self):
        return []


def test_stream_driver_resamples_cuts_hops_and_keeps_time():
    proc = ZeroCrossingPitch()
    driver = StreamDriver(proc, 48000, hop_seconds=0.1)
    sr = 48000
    x = np.sin(2 * np.pi * 440.0 * np.arange(2 * sr) / sr).astype(np.float32)
    for i in range(0, len(x), 700):  # odd block sizes, as a capture would deliver
        driver.feed(x[i:i + 700])
    layers = driver.stop()
    assert not driver.error
    assert all(n % 1600 == 0 for n in proc.lengths[:-1])  # whole 0.1 s hops at 16 kHz
    ends = np.cumsum(proc.lengths) / 16000
    np.testing.assert_allclose(proc.t0s[1:], ends[:-1])  # contiguous times
    assert abs(ends[-1] - 2.0) < 0.01  # all input came out after the final flush
    freqs = np.array([layer.values[0] for layer in layers[1:-1]])
    assert np.all(np.abs(freqs - 440.0) < 15.0)
    assert driver.latencies and max(driver.latencies) < 5.0


def test_stream_driver_reports_a_failing_processor():
    class Broken(ZeroCrossingPitch):
        def push(self, samples, t0):
            raise ValueError("model exploded")

    driver = StreamDriver(Broken(), 16000, hop_seconds=0.01)
    driver.feed(np.zeros(1600, np.float32))
    deadline = time.monotonic() + 5
    while driver.alive and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "model exploded" in driver.error


def test_no_input_device_gives_a_clear_message():
    """With no sound server reachable PortAudio lists no usable input: a clear message, no crash."""
    import subprocess
    import sys

    code = ("from workbench.live.session import LiveSession\n"
            "from workbench.live.capture import CaptureError\n"
            "try:\n    s = LiveSession(); s.start(); print('STARTED')\n"
            "except CaptureError as e:\n    print('ERROR', e)\n")
    env = {"PATH": "/usr/bin:/bin", "PULSE_SERVER": "unix:/nonexistent", "XDG_RUNTIME_DIR": "/nonexistent",
           "HOME": "/nonexistent"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60).stdout
    if "STARTED" in out:
        pytest.skip("this machine has a real input device even without a sound server")
    assert "ERROR" in out and ("No audio input device" in out or "stopped" in out or "Could not start" in out)


def test_stream_driver_follows_a_gap_in_the_stream():
    """After a pause the processor's times jump with the stream instead of running on."""
    proc = ZeroCrossingPitch()
    driver = StreamDriver(proc, 16000, hop_seconds=0.1)
    x = np.sin(2 * np.pi * 300.0 * np.arange(16000) / 16000).astype(np.float32)
    driver.feed(x, 0.0)
    driver.feed(x, 5.0)  # 4 s paused
    driver.stop()
    # Each push may hold several whole hops (the driver catches up in larger steps); times are what matter.
    ends = {round(t0 + n / 16000, 6) for t0, n in zip(proc.t0s, proc.lengths)}
    assert proc.t0s[0] == 0.0 and 5.0 in proc.t0s and 1.0 in ends and 6.0 in ends
    assert sum(proc.lengths) == 32000
