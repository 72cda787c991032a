"""The pitch plugin in a job that is cancelled, and its streaming form fed hop by hop."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.jobs import JobRunner, JobState
from workbench.core.params import resolve_params
from workbench.core.plugin_api import JobContext
from workbench_plugins.pitch import plugin
from workbench_plugins.pitch.estimators import load_estimator
from workbench_plugins.pitch.manifest import MANIFEST

from . import synth

HOP = 1600  # 100 ms at 16 kHz, the live hop


def params(**given) -> dict:
    return resolve_params(MANIFEST.params, given)


@pytest.mark.parametrize("model", ["fcpe", "crepe-tiny"])
def test_cancelled_job_stops_within_a_second(store, device, model):
    sr = 16000
    audio = AudioBuffer(np.tile(synth.harmonic_tone(np.full(sr, 180.0), sr), 90), sr)  # 90 s
    runner = JobRunner(max_workers=1, device=device, models=store)
    try:
        load_estimator(model, JobContext(device=device, models=store), 160)  # loaded before, not in the timing
        started = threading.Event()
        job = runner.submit_plugin(MANIFEST, audio, {"model": model})
        # Cancel at the first report from the chunk loop: the model is then busy with real work.
        job.on_progress(lambda j: started.set() if j.text.startswith("pitch") else None)
        assert started.wait(60)
        t0 = time.monotonic()
        job.cancel()
        assert job.wait(10)
        stopped_after = time.monotonic() - t0
        assert job.state is JobState.CANCELLED and job.result is None
        assert stopped_after < 1.0, f"took {stopped_after:.2f} s to stop"
        assert job.fraction < 0.5
    finally:
        runner.shutdown()


def stepped_tone(sr: int = 16000):
    """3 s: 220 Hz, then 330 Hz from 1.5 s (six harmonics)."""
    t = np.arange(3 * sr) / sr
    return synth.harmonic_tone(np.where(t < 1.5, 220.0, 330.0), sr)


def run_stream(processor, x, t0: float):
    curves = []
    for i in range(0, len(x), HOP):
        curves += processor.push(x[i:i + HOP], t0 + i / 16000)
    pushed_frames = sum(len(c.times) for c in curves)
    curves += processor.flush()
    return curves, pushed_frames


@pytest.mark.parametrize("model", ["fcpe", "crepe-tiny"])
def test_stream_follows_a_tone_hop_by_hop(ctx, model):
    x = stepped_tone()
    processor = plugin.stream(params(model=model), ctx)
    assert processor.sample_rate == 16000
    curves, pushed_frames = run_stream(processor, x, t0=10.0)
    times = np.concatenate([c.times for c in curves])
    values = np.concatenate([c.values for c in curves])
    voiced = np.concatenate([c.voiced for c in curves])
    # One frame every 10 ms on the stream's clock, none missing or repeated, the last ones only at flush.
    np.testing.assert_allclose(times, 10.0 + np.arange(len(times)) * 0.01, atol=1e-9)
    assert len(times) == 300  # frames centred inside the 3 s, as offline
    assert pushed_frames >= 300 - 10  # at most ~100 ms of frames held back for look-ahead
    low = (times > 10.1) & (times < 11.4)
    high = (times > 11.6) & (times < 12.9)
    assert voiced[low].mean() > 0.95 and voiced[high].mean() > 0.95
    assert np.all(np.abs(1200 * np.log2(values[low & voiced] / 220.0)) < 20)
    assert np.all(np.abs(1200 * np.log2(values[high & voiced] / 330.0)) < 20)
    # Frames at hop edges agree with the offline analysis of the whole signal.
    (offline,) = plugin.process(AudioBuffer(x, 16000), params(model=model), ctx)
    both = voiced & offline.voiced[:len(voiced)]
    diff = 1200 * np.abs(np.log2(values[both] / offline.values[:len(voiced)][both]))
    assert np.percentile(diff, 99) < 15


def test_stream_restarts_after_a_gap(ctx):
    processor = plugin.stream(params(), ctx)
    x = stepped_tone()[:16000]
    first, _ = run_stream(processor, x, t0=0.0)
    processor.push(x[:HOP], 0.0)
    later = processor.push(x[HOP:2 * HOP], 5.0)  # a dropout: 5 s instead of 0.1 s
    later += processor.flush()
    times = np.concatenate([c.times for c in later])
    assert times[0] == pytest.approx(5.0) and np.all(np.diff(times) > 0)
