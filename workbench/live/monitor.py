"""Monitor output: plays audio that a live processor makes (separated vocals, cleaned speech) on an output device.

A live processor that contributes ``monitor=True`` has ``output_rate`` (Hz), an ``on_output(samples, t0)``
attribute the live panel points at :meth:`OutputPlayer.write`, and ``added_latency`` (s, latest measured).
"""

from __future__ import annotations

import time

import numpy as np

from workbench.core.errors import WorkbenchError

from .ring_buffer import RingBuffer


class OutputPlayer:
    """Plays mono float32 pushed with :meth:`write` on an output device, as soon as possible.

    Underruns (the callback found no audio queued) are counted in ``underruns`` (blocks). When more than
    ``max_queue`` seconds are waiting (e.g. the first blocks took long), the oldest are skipped (``skipped``,
    samples) so that the delay does not stay high for the rest of the stream.
    """

    def __init__(self, device=None, sample_rate: int = 44100, blocksize: int = 512, seconds: float = 10.0,
                 max_queue: float = 0.6):
        import sounddevice as sd

        self.sample_rate = int(sample_rate)
        self.ring = RingBuffer(int(seconds * sample_rate), 1)
        self._reader = self.ring.reader()
        self.underruns = 0
        self.skipped = 0  # samples dropped to keep the queue (the added latency) under ``max_queue`` s
        self.max_queue = int(max_queue * sample_rate)
        self.played = 0  # samples given to the device
        self.last_dac_time = 0.0  # stream clock (s) when the latest block reaches the speaker
        self.last_callback = 0.0  # time.monotonic() of the latest callback
        self._started = False
        self.on_block = None  # optional hook(first ring frame of the block, DAC time s) for latency measurement
        try:
            self._stream = sd.OutputStream(device=device, samplerate=sample_rate, channels=1, dtype="float32",
                                           blocksize=blocksize, latency="low", callback=self._callback)
            self._stream.start()
        except Exception as exc:
            raise WorkbenchError(f"The output device cannot play the separated audio: {exc}") from exc

    def _callback(self, outdata, frames, time_info, status) -> None:
        avail = self._reader.available
        if avail > frames + self.max_queue:  # a slow start left audio queued up: catch up, latency stays low
            skip = avail - frames - self.max_queue
            self._reader.position += skip
            self.skipped += skip
            avail -= skip
        if avail >= frames:
            if self.on_block is not None:
                self.on_block(self._reader.position, time_info.outputBufferDacTime)
            outdata[:] = self._reader.read(frames)
            self._started = True
        else:
            outdata.fill(0.0)
            if self._started:
                self.underruns += 1
        self.played += frames
        self.last_dac_time = time_info.outputBufferDacTime
        self.last_callback = time.monotonic()

    def write(self, samples: np.ndarray) -> None:
        self.ring.write(np.asarray(samples, np.float32).reshape(-1, 1))

    @property
    def queued_seconds(self) -> float:
        return self._reader.available / self.sample_rate

    @property
    def output_latency(self) -> float:
        return float(self._stream.latency)

    def close(self) -> None:
        try:
            self._stream.abort()
            self._stream.close()
        except Exception:
            pass


class MonitorAdapter:
    """Makes a processor whose ``push`` returns audio (an array, not layers) a monitor: each returned block goes to
    ``on_output(block, t0)``; ``added_latency`` comes from the processor's ``latency_s``."""

    def __init__(self, processor):
        self.processor = processor
        self.sample_rate = processor.sample_rate
        self.output_rate = getattr(processor, "output_rate", processor.sample_rate)
        self.on_output = None
        self._emitted = 0

    @property
    def added_latency(self) -> float:
        return float(getattr(self.processor, "latency_s", getattr(self.processor, "added_latency", 0.0)))

    def _out(self, block) -> list:
        block = np.asarray(block, np.float32).reshape(-1) if block is not None else np.zeros(0, np.float32)
        if len(block) and self.on_output is not None:
            self.on_output(block, self._emitted / self.output_rate)
        self._emitted += len(block)
        return []

    def push(self, samples, t0: float) -> list:
        return self._out(self.processor.push(samples, t0))

    def flush(self) -> list:
        flush = getattr(self.processor, "flush", None)
        return self._out(flush()) if flush else []
