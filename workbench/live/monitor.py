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

    Audio arrives in blocks (e.g. every 0.1 s from the separator) while the device takes ``blocksize`` frames at
    a time, so samples wait in a queue. Playback starts once ``margin`` seconds beyond one device block are
    queued (room for the blocks' arrival jitter). After that the queue's low-water mark (its level just before a
    new block comes) is watched over ``settle`` seconds: any excess over ``margin`` (left by a slow start, or by a
    hiccup that has passed) is skipped, so the delay returns to block + margin instead of staying high for the rest
    of the stream. ``max_queue`` seconds is a hard cap. Underruns (the callback found too little audio) are
    counted in ``underruns`` (blocks); skipped samples in ``skipped``.

    The margin adapts, like a network jitter buffer: after an underrun playback waits until a margin
    ``margin_step`` larger (up to ``max_margin``) is queued again, so a machine whose blocks arrive later than
    the margin allows gets one short gap and a steady delay instead of a crackle every few blocks. After
    ``relax`` seconds without an underrun the margin steps back down (never below ``margin``).

    ``latency`` is PortAudio's device latency: "high" (~35 ms through PulseAudio) rather than "low" (~23 ms),
    because with "low" a callback delayed by the busy worker threads makes the sound server underrun and stall
    for up to seconds (measured through a null sink under load: 0.5-5 s capture to output against ~0.3-0.55 s).
    """

    def __init__(self, device=None, sample_rate: int = 44100, blocksize: int = 512, seconds: float = 10.0,
                 max_queue: float = 0.6, margin: float = 0.03, settle: float = 1.0, latency: str | float = "high",
                 margin_step: float = 0.01, max_margin: float = 0.1, relax: float = 30.0):
        import sounddevice as sd

        self.sample_rate = int(sample_rate)
        self.ring = RingBuffer(int(seconds * sample_rate), 1)
        self._reader = self.ring.reader()
        self.underruns = 0
        self.skipped = 0  # samples dropped to keep the queue (the added latency) low
        self.max_queue = int(max_queue * sample_rate)
        self.margin = self.min_margin = int(margin * sample_rate)
        self.margin_step, self.max_margin = int(margin_step * sample_rate), int(max(margin, max_margin) * sample_rate)
        self._relax_calls = max(1, int(relax * sample_rate / blocksize))
        self._calls_since_underrun = 0
        self._settle_calls = max(1, int(settle * sample_rate / blocksize))
        self._calls = 0
        self._low_water: int | None = None
        self.played = 0  # samples given to the device
        self.last_dac_time = 0.0  # stream clock (s) when the latest block reaches the speaker
        self.last_callback = 0.0  # time.monotonic() of the latest callback
        self._started = False
        self.on_block = None  # optional hook(first ring frame of the block, DAC time s) for latency measurement
        try:
            self._stream = sd.OutputStream(device=device, samplerate=sample_rate, channels=1, dtype="float32",
                                           blocksize=blocksize, latency=latency, callback=self._callback)
            self._stream.start()
        except Exception as exc:
            raise WorkbenchError(f"The output device cannot play the separated audio: {exc}") from exc

    def _skip(self, n: int) -> None:
        self._reader.position += n
        self.skipped += n

    def _callback(self, outdata, frames, time_info, status) -> None:
        self.last_callback = time.monotonic()
        self.last_dac_time = time_info.outputBufferDacTime
        self.played += frames
        avail = self._reader.available
        if avail > frames + self.max_queue:  # far behind (e.g. the first blocks took long): catch up at once
            self._skip(avail - frames - self.max_queue)
            avail = self._reader.available
        if not self._started and avail < frames + self.margin:
            outdata.fill(0.0)  # not primed yet: silence, not an underrun
            return
        if avail < frames:
            outdata.fill(0.0)
            self.underruns += 1
            self._started = False  # wait for the larger margin (a gap now, not a crackle every few blocks)
            self.margin = min(self.max_margin, self.margin + self.margin_step)
            self._calls_since_underrun, self._calls, self._low_water = 0, 0, None
            return
        self._started = True
        self._calls_since_underrun += 1
        if self._calls_since_underrun >= self._relax_calls and self.margin > self.min_margin:
            self.margin = max(self.min_margin, self.margin - self.margin_step)  # steady for a while: try less
            self._calls_since_underrun = 0
        self._low_water = avail if self._low_water is None else min(self._low_water, avail)
        self._calls += 1
        if self._calls >= self._settle_calls:  # the queue never fell below this: the excess is pure delay
            excess = self._low_water - frames - self.margin
            if excess > 0:
                self._skip(excess)
            self._calls, self._low_water = 0, None
        if self.on_block is not None:
            self.on_block(self._reader.position, time_info.outputBufferDacTime)
        outdata[:] = self._reader.read(frames)

    def write(self, samples: np.ndarray) -> None:
        self.ring.write(np.asarray(samples, np.float32).reshape(-1, 1))

    @property
    def margin_seconds(self) -> float:
        """The margin now (s): the start margin, plus the steps that underruns added."""
        return self.margin / self.sample_rate

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
        for hint in ("kernel_threads", "resample_quality"):  # the driver's settings for the processor
            if hasattr(processor, hint):
                setattr(self, hint, getattr(processor, hint))
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
