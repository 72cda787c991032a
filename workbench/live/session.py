"""A live capture session: capture stream + drain + recorder + live spectrogram + streaming plugin drivers.

The owner (the GUI's ~60 Hz timer, or a loop in tests and benchmarks) calls :meth:`LiveSession.poll`, which
drains the ring buffer once and returns a :class:`LiveUpdate` with the new samples, spectrogram columns, level,
the live plugins' new layers and any fault. Nothing here imports Qt. Times are seconds from the start of the
capture (frame 0).

The live plugins (stream drivers) do not wait for that timer: a feeder thread wakes on every capture block and
hands it to them at once, which takes the drain period (up to ~17 ms) out of their latency. Their results are
still collected by ``poll``.

When the device fails mid-capture, ``poll`` reports the fault once and closes the stream; what was recorded
so far is kept and returned by :meth:`finish_recording` / :meth:`stop`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from workbench.core.audio import AudioBuffer

from .capture import CaptureStream
from .recorder import Recorder
from .spectrogram import LiveSpectrogram
from .streaming import StreamDriver


@dataclass
class LiveUpdate:
    samples: np.ndarray  # (n,) mono float32 drained this time (empty when paused)
    start_time: float  # seconds: capture time of samples[0]
    columns: np.ndarray  # (k, bins) new spectrogram columns in dB
    first_column: int  # index of columns[0]
    level_db: float  # peak level of the drained samples, dBFS
    layers: list = field(default_factory=list)  # (driver name, layer) pairs from the live plugins
    fault: str = ""  # set once when the device failed
    lost_frames: int = 0  # frames the drain was too slow to read (ring overrun), total


class LiveSession:
    """Owns one capture; see the module docstring. All methods run in the owner's thread."""

    def __init__(self, device=None, sample_rate: int = 48000, blocksize: int = 512, channels: int = 1,
                 spectrogram: str = "stft", n_fft: int = 2048, spec_hop: int = 512):
        self.capture = CaptureStream(device, sample_rate, channels, blocksize)
        self.sample_rate = self.capture.sample_rate
        self.recorder = Recorder(self.sample_rate, self.capture.channels)
        self.spectrogram = LiveSpectrogram(self.sample_rate, n_fft, spec_hop, spectrogram)
        self.drivers: dict[str, StreamDriver] = {}
        self.driver_latencies: dict[str, list[float]] = {}  # per driver name: hop latencies (s), kept after stop
        self.paused = False
        self.fault = ""
        self.final_layers: list = []
        self._reader = self.capture.ring.reader()
        self._fault_reported = False
        self._finished: AudioBuffer | None = None
        self.drained_at = 0.0  # time.monotonic() of the latest poll that got samples
        self._drivers_lock = threading.Lock()  # add/remove (owner) against the feeder thread's feeding
        self._feed_reader = self.capture.ring.reader()
        self._feeder: threading.Thread | None = None
        self._feeding = False

    # -- control --------------------------------------------------------------------------------------------
    def start(self) -> None:
        self.capture.start()
        self._reader = self.capture.ring.reader(from_now=False)
        self._feed_reader = self.capture.ring.reader(from_now=False)
        self._feeding = True
        self._feeder = threading.Thread(target=self._feed_loop, name="live-feeder", daemon=True)
        self._feeder.start()

    def stop(self) -> AudioBuffer | None:
        """Stop capture and live plugins; returns the recording (None if nothing was recorded).

        The live plugins' last layer updates (flushed) are left in :attr:`final_layers` as (name, layer)."""
        update = self.poll()
        self.capture.stop()
        self._stop_feeder()
        self.final_layers = list(update.layers)
        for name in list(self.drivers):
            self.final_layers += self.remove_driver(name)
        return self.finish_recording()

    def start_recording(self) -> None:
        self._finished = None
        self.recorder.start(self._reader.position / self.sample_rate)

    def finish_recording(self, name: str = "recording") -> AudioBuffer | None:
        """Ends the recording (if on) and returns it; later calls return the same buffer."""
        if self.recorder.recording:
            self.recorder.stop()
            self._finished = self.recorder.to_buffer(name)
        return self._finished

    def add_driver(self, name: str, processor, hop_seconds: float = 0.1) -> StreamDriver:
        driver = StreamDriver(processor, self.sample_rate, hop_seconds, name)
        with self._drivers_lock:
            self.drivers[name] = driver
        return driver

    def remove_driver(self, name: str) -> list:
        with self._drivers_lock:
            driver = self.drivers.pop(name, None)
        if driver is None:
            return []
        layers = driver.stop()
        self.driver_latencies[name] = driver.latencies
        return [(name, layer) for layer in layers]

    @property
    def overflows(self) -> int:
        return self.capture.overflows

    @property
    def dropouts(self) -> int:
        """Input overflows flagged by PortAudio plus drain overruns (blocks), since the start."""
        lost = max(self._reader.lost, self._feed_reader.lost)
        return self.capture.overflows + int(np.ceil(lost / max(1, self.capture.blocksize)))

    # -- the drain ------------------------------------------------------------------------------------------
    def poll(self) -> LiveUpdate:
        """Drain the ring buffer once (call at ~60 Hz)."""
        fault = ""
        if self.capture.running:
            fault = self.capture.check()
        start = self._reader.position / self.sample_rate
        frames = self._reader.read()
        if len(frames):
            self.drained_at = time.monotonic()
        mono = frames.mean(axis=1) if frames.shape[1] > 1 else frames[:, 0]
        if fault and not self._fault_reported:
            self._fault_reported = True
            self.fault = fault
        else:
            fault = ""
        first = self.spectrogram.columns_made
        if self.paused:
            return LiveUpdate(np.zeros(0, np.float32), start, np.zeros((0, len(self.spectrogram.frequencies))),
                              first, -120.0, self._take_layers(), fault, self._reader.lost)
        self.recorder.append(frames)
        columns = self.spectrogram.push(mono)
        peak = float(np.max(np.abs(mono))) if len(mono) else 0.0
        return LiveUpdate(mono, start, columns, first, 20.0 * np.log10(max(peak, 1e-6)), self._take_layers(),
                          fault, self._reader.lost)

    # -- the feeder thread -----------------------------------------------------------------------------------
    def _feed_loop(self) -> None:
        """Hand each capture block to the live drivers as soon as the callback has written it."""
        wake = self.capture.new_audio
        while self._feeding:
            wake.wait(0.05)
            wake.clear()
            self._feed_once()
        self._feed_once()  # what arrived before the stream stopped

    def _feed_once(self) -> None:
        start = self._feed_reader.position / self.sample_rate
        frames = self._feed_reader.read()
        if not len(frames) or self.paused:  # paused: skipped; the drivers see a jump when it resumes
            return
        mono = frames.mean(axis=1) if frames.shape[1] > 1 else frames[:, 0].copy()
        with self._drivers_lock:
            for driver in self.drivers.values():
                driver.feed(mono, start)

    def _stop_feeder(self) -> None:
        self._feeding = False
        self.capture.new_audio.set()
        if self._feeder is not None:
            self._feeder.join(5.0)
            self._feeder = None

    def _take_layers(self) -> list:
        return [(name, layer) for name, d in self.drivers.items() for layer in d.take_layers()]
