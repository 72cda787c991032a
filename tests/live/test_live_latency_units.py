"""The low-latency parts of the live path without an audio device: the short FIR decimator the drivers use for
pitch, the monitor player's queue policy (fed by hand through a stand-in stream) and the live separator's
block / look-ahead / mask options."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.live.streaming import FirDecimator, StreamDriver, make_resampler


def _stream(decimator, x, chunk):
    parts = [decimator.resample_chunk(x[i:i + chunk]) for i in range(0, len(x), chunk)]
    return np.concatenate(parts + [decimator.resample_chunk(np.zeros(0, np.float32), last=True)])


def test_fir_decimator_keeps_time_and_length_whatever_the_chunks():
    x = np.zeros(48000, np.float32)
    x[24000] = 1.0  # an impulse at 0.5 s
    for chunk in (1, 97, 512, 48000):
        y = _stream(FirDecimator(3), x, chunk)
        assert len(y) == 16000
        assert int(np.argmax(y)) == 8000  # still at 0.5 s: the filter's delay is compensated


def test_fir_decimator_passes_the_voice_band_and_rejects_aliases():
    t = np.arange(48000) / 48000

    def gain_db(freq):
        y = _stream(FirDecimator(3), np.sin(2 * np.pi * freq * t).astype(np.float32), 512)[500:-500]
        return 20 * np.log10(np.sqrt(2) * y.std() + 1e-12)

    assert abs(gain_db(220.0)) < 0.1 and abs(gain_db(5000.0)) < 0.2
    assert gain_db(10000.0) < -50 and gain_db(17000.0) < -50  # would alias to 6 and 1 kHz


def test_make_resampler_low_delay_picks_the_fir_only_for_integer_ratios():
    assert isinstance(make_resampler(48000, 16000, "low-delay"), FirDecimator)
    assert not isinstance(make_resampler(48000, 44100, "low-delay"), FirDecimator)
    assert make_resampler(16000, 16000, "low-delay") is None


def test_stream_driver_uses_the_processors_low_delay_resampling():
    class Collect:
        sample_rate = 16000
        resample_quality = "low-delay"

        def __init__(self):
            self.samples = []

        def push(self, samples, t0):
            self.samples.append(samples)
            return []

        def flush(self):
            return []

    proc = Collect()
    driver = StreamDriver(proc, 48000, hop_seconds=0.02)
    x = np.sin(2 * np.pi * 300 * np.arange(48000) / 48000).astype(np.float32)
    for i in range(0, len(x), 512):
        driver.feed(x[i:i + 512])
    driver.stop()
    y = np.concatenate(proc.samples)
    assert isinstance(driver._resampler, FirDecimator) and len(y) == 16000
    ref = np.sin(2 * np.pi * 300 * np.arange(16000) / 16000)
    assert np.abs(y[200:-200] - ref[200:-200]).max() < 5e-3  # in time (one sample late would be ~0.1 off)


@pytest.mark.parametrize("threads", [0, 1])
def test_a_processor_can_ask_for_single_threaded_kernels_on_its_worker(monkeypatch, threads):
    """Live pitch asks for one kernel thread (FCPE on 0.1 s is faster that way); it applies to the driver's own
    worker thread only, and only when asked."""
    import threading

    import workbench.core.features.blocks as blocks

    calls = []
    monkeypatch.setattr(blocks, "single_threaded_kernels", lambda: calls.append(threading.current_thread().name))

    class Proc:
        sample_rate = 48000
        kernel_threads = threads

        def push(self, samples, t0):
            return []

        def flush(self):
            return []

    driver = StreamDriver(Proc(), 48000, name="probe")
    driver.feed(np.zeros(4800, np.float32))
    driver.stop()
    assert calls == (["live-probe"] if threads == 1 else [])


def test_live_pitch_asks_for_one_kernel_thread():
    from workbench_plugins.pitch.streaming import PitchStream

    assert PitchStream.kernel_threads == 1


class FakeStream:
    """Stands in for sounddevice.OutputStream: the test calls the player's callback itself."""

    latency = 0.01

    def __init__(self, callback=None, **kw):
        self.callback = callback

    def start(self):
        pass

    def abort(self):
        pass

    def close(self):
        pass


class TimeInfo:
    outputBufferDacTime = 0.0


@pytest.fixture
def player(monkeypatch):
    import sounddevice as sd

    from workbench.live.monitor import OutputPlayer

    monkeypatch.setattr(sd, "OutputStream", FakeStream)
    p = OutputPlayer(sample_rate=44100, blocksize=256, margin=0.02, settle=0.5)  # 256: what _play hands it
    yield p
    p.close()


def _play(player, callbacks):
    out = np.zeros((256, 1), np.float32)
    for _ in range(callbacks):
        player._callback(out, 256, TimeInfo(), None)
    return out


def test_player_waits_for_its_margin_before_playing(player):
    player.write(np.ones(300, np.float32))  # one device block, but less than block + margin
    assert _play(player, 1).max() == 0.0 and player.underruns == 0
    player.write(np.ones(1000, np.float32))
    assert _play(player, 1).min() == 1.0


def test_player_cuts_a_backlog_down_to_its_margin(player):
    """A slow start leaves 0.5 s queued; with 0.1 s blocks arriving on time the queue settles to ~margin."""
    block = np.ones(4410, np.float32)
    for _ in range(5):
        player.write(block)
    for _ in range(40):  # 4 s of blocks, each followed by 0.1 s of device callbacks
        player.write(block)
        _play(player, 17)  # 17 x 256 = 4352 samples ~ one block
    low_water_after = player.queued_seconds
    assert player.skipped > 0.3 * 44100  # most of the 0.5 s backlog was skipped
    assert low_water_after < 0.1 + 0.02 + 0.02  # about one block + the margin is left queued
    assert player.underruns == 0


def test_player_counts_underruns_once_started(player):
    player.write(np.ones(2000, np.float32))
    _play(player, 7)  # 1792 played, 208 left: the 8th callback finds too little
    _play(player, 1)
    assert player.underruns == 1


def test_player_after_an_underrun_waits_for_a_larger_margin_then_relaxes(monkeypatch):
    """Blocks arriving later than the margin allows: one gap, then playback resumes only once a margin 10 ms
    larger is queued; after ``relax`` seconds without underruns the margin steps back to where it began."""
    import sounddevice as sd

    from workbench.live.monitor import OutputPlayer

    monkeypatch.setattr(sd, "OutputStream", FakeStream)
    p = OutputPlayer(sample_rate=44100, blocksize=256, margin=0.02, relax=1.0)
    p.write(np.ones(2000, np.float32))
    _play(p, 8)  # the 8th callback underruns
    assert p.underruns == 1 and p.margin_seconds == pytest.approx(0.03, abs=1e-4)
    p.write(np.ones(256 + int(0.025 * 44100), np.float32))  # one block + 25 ms: under the new 30 ms margin
    assert _play(p, 1).max() == 0.0 and p.underruns == 1  # re-priming is silence, not another underrun
    p.write(np.ones(int(0.01 * 44100), np.float32))
    assert _play(p, 1).min() == 1.0  # block + 35 ms queued: playing again
    for _ in range(200):  # 1.2 s of blocks on time: the margin steps back down
        p.write(np.ones(256, np.float32))
        _play(p, 1)
    assert p.underruns == 1 and p.margin_seconds == pytest.approx(0.02, abs=1e-4)
    p.close()


@pytest.fixture(scope="module")
def nets():
    from workbench_plugins.separation import plugin
    from workbench.core.plugin_api import JobContext

    return plugin.spleeter_nets(JobContext(device="cpu"))


@pytest.mark.parametrize("options", [{}, {"lookahead": 1024}, {"mask": "vocal-net"}])
def test_live_separator_outputs_every_sample_on_the_stream_clock(nets, options):
    from workbench_plugins.separation.live import LiveSeparator

    rate = 44100
    t = np.arange(int(1.3 * rate)) / rate
    x = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    got = []
    sep = LiveSeparator(nets, "cpu", "accompaniment", 0.1, on_output=lambda b, t0: got.append((t0, b)), **options)
    for i in range(0, len(x), 2205):
        sep.push(x[i:i + 2205], i / rate)
    assert all(len(b) == 4410 for _, b in got)  # 0.1 s blocks while streaming
    sep.flush()
    starts = np.array([t0 for t0, _ in got])
    lengths = np.array([len(b) for _, b in got])
    np.testing.assert_allclose(starts[1:], np.cumsum(lengths)[:-1] / rate)  # contiguous, no gaps or repeats
    assert lengths.sum() == len(x)
    assert sep.added_latency > (4410 + sep.lookahead) / rate  # block + look-ahead + compute


def test_live_separator_catches_up_in_larger_blocks_when_behind(nets):
    from workbench_plugins.separation.live import LiveSeparator

    rate = 44100
    x = (0.3 * np.sin(2 * np.pi * 220 * np.arange(3 * rate) / rate)).astype(np.float32)
    got = []
    sep = LiveSeparator(nets, "cpu", "vocals", 0.1, on_output=lambda b, t0: got.append((t0, len(b))))
    sep.push(x[:rate], 0.0)  # 1 s arrives at once, as after a stall: not ten runs of 0.1 s
    assert 1 <= len(got) <= 2 and all(n % 4410 == 0 and n <= sep.max_block for _, n in got)
    sep.push(x[rate:], 1.0)
    sep.flush()
    ends = np.cumsum([n for _, n in got])
    np.testing.assert_allclose([t0 for t0, _ in got][1:], ends[:-1] / rate)
    assert ends[-1] == len(x)


def test_live_separator_rejects_bad_options_clearly(nets):
    from workbench.core.errors import WorkbenchError
    from workbench_plugins.separation.live import LiveSeparator

    for kw, word in (({"mask": "magic"}, "mask"), ({"window_frames": 96}, "window_frames"),
                     ({"block_seconds": 0.0}, "block")):
        with pytest.raises(WorkbenchError, match=word):
            LiveSeparator(nets, "cpu", "vocals", **kw)
