"""Capture through the virtual microphone (PulseAudio null sink): spectrogram, live pitch, recording, faults."""

from __future__ import annotations

import time

import numpy as np
import pytest

from workbench.live.capture import CaptureError, CaptureStream
from workbench.live.session import LiveSession

from .conftest import PaPlayer, Player, needs_virtual_mic, run_for, tone, unload_virtual_sink, wait_until_flowing

pytestmark = needs_virtual_mic
SR = 48000


@pytest.fixture(scope="module")
def pitch_processor_factory():
    from workbench.live.live_plugins import make_processor

    def make_pitch():
        return make_processor("pitch")

    make_pitch()  # loads FCPE once; later calls reuse the store's cached model
    return make_pitch


def test_tone_peak_and_live_pitch_follow_the_played_frequency(virtual_sink, pitch_processor_factory):
    session = LiveSession(sample_rate=SR)
    session.add_driver("pitch", pitch_processor_factory(), 0.02)
    session.start()
    try:
        wait_until_flowing(session)
        start = session.poll().start_time
        # Harmonic tones (a voice-like spectrum: FCPE is trained on voices and doubts pure high sines).
        signal = np.concatenate([tone(330.0, 1.2, SR, harmonics=6), tone(523.25, 1.2, SR, harmonics=6)])
        player = Player(signal, SR)
        columns, curves = [], []

        def collect(u):
            if len(u.columns):
                columns.append((u.first_column, u.columns))
            curves.extend(layer for _, layer in u.layers)

        run_for(session, 5.0, collect, until=lambda: player.done.is_set())
        player.wait()
        run_for(session, 0.4, collect)
    finally:
        session.stop()
    collect(type("U", (), {"columns": [], "layers": session.final_layers})())
    spec = session.spectrogram
    # The loudest column's peak bin, refined by a parabola through its neighbours.
    cols = np.concatenate([c for _, c in columns])
    power = cols.max(axis=1)
    loud = cols[power > power.max() - 20]
    peaks = []
    for col in loud:
        k = int(np.argmax(col))
        a, b, c = col[k - 1], col[k], col[k + 1]
        peaks.append(spec.frequencies[k] + 0.5 * (a - c) / (a - 2 * b + c) * (SR / spec.n_fft))
    peaks = np.array(peaks)
    assert np.sum(np.abs(peaks - 330.0) < 5.0) > 20 and np.sum(np.abs(peaks - 523.25) < 5.0) > 20
    # Live pitch: times on the capture clock; each half of the played signal reads its own frequency.
    times = np.concatenate([c.times for c in curves])
    f0 = np.concatenate([np.where(c.voiced, c.values, np.nan) for c in curves])
    voiced = ~np.isnan(f0)
    assert voiced.sum() > 100
    onset = times[voiced][0]  # where the played signal arrived in the capture
    assert onset >= start - 0.05
    first = f0[(times > onset + 0.2) & (times < onset + 1.0)]
    second = f0[(times > onset + 1.4) & (times < onset + 2.2)]
    assert np.nanmedian(first) == pytest.approx(330.0, rel=0.01)
    assert np.nanmedian(second) == pytest.approx(523.25, rel=0.01)
    assert np.median(session.driver_latencies["pitch"]) < 1.0


def test_recording_10_s_has_the_right_length_and_matches_what_was_played(virtual_sink, tmp_path):
    rng = np.random.default_rng(7)
    # Band-limited noise bursts with a tone: unambiguous for cross-correlation.
    t = np.arange(11 * SR) / SR
    signal = (0.2 * np.sin(2 * np.pi * 700 * t) * (np.sin(2 * np.pi * 0.7 * t) > 0)
              + 0.1 * np.convolve(rng.standard_normal(len(t)), np.ones(8) / 8, "same")).astype(np.float32)
    session = LiveSession(sample_rate=SR)
    session.start()
    try:
        wait_until_flowing(session)
        player = PaPlayer(signal, SR, tmp_path / "played.wav")
        run_for(session, 0.3)
        session.start_recording()
        run_for(session, 12.0, until=lambda: session.recorder.duration >= 10.0)
        recording = session.finish_recording()
        player.wait()
    finally:
        session.stop()
    assert recording.duration == pytest.approx(10.0, abs=session.capture.blocksize / SR + 1 / 60)
    assert session.dropouts == 0
    rec = recording.samples[0]
    # Cross-correlation (via FFT) of the recording against what was played: one sharp, strong peak.
    n = len(rec) + len(signal)
    xc = np.fft.irfft(np.fft.rfft(rec, n) * np.conj(np.fft.rfft(signal, n)), n)
    lag = int(np.argmax(np.abs(xc)))
    lag = lag - n if lag > n // 2 else lag
    assert lag < 0  # the recording started after playback began
    # Window by window (0.5 s, each free to move +-20 ms: a loaded machine may delay playback a little),
    # the recording is what was played.
    win, slack, corrs = SR // 2, SR // 50, []
    for a in range(slack, len(rec) - win - slack, win):
        seg = rec[a:a + win]
        ref = signal[max(0, a - lag - slack):a - lag + win + slack]
        if len(ref) < win + 2 * slack:
            continue
        xs = np.correlate(ref, seg, "valid") / (np.linalg.norm(seg) * np.sqrt(np.convolve(ref ** 2, np.ones(win), "valid")) + 1e-12)
        corrs.append(xs.max())
    corrs = np.array(corrs)
    assert len(corrs) >= 17
    assert np.median(corrs) > 0.99 and np.mean(corrs > 0.95) >= 0.9, np.round(corrs, 3)


def test_removing_the_device_mid_capture_keeps_the_recording(virtual_sink):
    session = LiveSession(sample_rate=SR)
    session.start()
    wait_until_flowing(session)
    session.start_recording()
    run_for(session, 1.0)
    unload_virtual_sink()
    faults = []
    run_for(session, 8.0, lambda u: u.fault and faults.append(u.fault), until=lambda: bool(faults))
    assert len(faults) == 1
    assert "stopped delivering audio" in faults[0] and "kept" in faults[0]
    assert not session.capture.running
    recording = session.finish_recording()
    assert recording is not None and recording.duration >= 0.9
    assert session.stop() is recording  # stopping after a fault is harmless and keeps the same recording
    assert session.poll().fault == ""  # reported once


def test_unsupported_sample_rate_and_unknown_device_are_clear(virtual_sink):
    with pytest.raises(CaptureError, match="does not support 1234567 Hz"):
        CaptureStream(sample_rate=1234567)
    with pytest.raises(CaptureError, match="not found. Available inputs"):
        CaptureStream(device="no such microphone")


def test_capture_works_again_after_the_sink_came_back(virtual_sink):
    session = LiveSession(sample_rate=16000)
    session.start()
    try:
        wait_until_flowing(session)
        t0 = time.monotonic()
        run_for(session, 0.3)
        assert session.capture.callbacks > 0 and time.monotonic() - t0 >= 0.3
    finally:
        session.stop()


def test_live_drivers_get_the_audio_without_waiting_for_the_drain(virtual_sink):
    """The feeder thread hands capture blocks to the drivers itself: nobody polls here, yet they arrive, in order
    and on the capture clock; while paused they get nothing and then resume with a jump in time."""

    class Collect:
        sample_rate = SR

        def __init__(self):
            self.pushes = []

        def push(self, samples, t0):
            self.pushes.append((t0, len(samples)))
            return []

        def flush(self):
            return []

    proc = Collect()
    session = LiveSession(sample_rate=SR)
    session.add_driver("collect", proc, 0.01)
    session.start()
    try:
        deadline = time.monotonic() + 8.0
        while sum(n for _, n in proc.pushes) < SR // 2 and time.monotonic() < deadline:
            time.sleep(0.02)  # no poll() in this loop
        fed = sum(n for _, n in proc.pushes)
        assert fed >= SR // 2, "the drivers got no audio without the drain"
        ends = [t0 + n / SR for t0, n in proc.pushes]
        np.testing.assert_allclose([t0 for t0, _ in proc.pushes[1:]], ends[:-1], atol=1e-9)  # contiguous
        session.paused = True
        time.sleep(0.3)
        paused_at = len(proc.pushes)
        time.sleep(0.3)
        assert len(proc.pushes) <= paused_at + 1  # at most the hop that was in flight
        session.paused = False
        deadline = time.monotonic() + 8.0
        while len(proc.pushes) < paused_at + 5 and time.monotonic() < deadline:
            time.sleep(0.02)
        before, after = proc.pushes[:len(proc.pushes) - 4], proc.pushes[-4:]
        gaps = [b[0] - (a[0] + a[1] / SR) for a, b in zip(proc.pushes[:-1], proc.pushes[1:])]
        assert before and after and max(gaps) > 0.4  # the 0.6 s pause shows as one jump in time
        assert sum(g > 0.01 for g in gaps) == 1
    finally:
        session.stop()
