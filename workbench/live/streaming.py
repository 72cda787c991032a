"""Runs a plugin's :class:`StreamProcessor` in a worker thread on hops of a live stream.

The owner calls :meth:`StreamDriver.feed` with mono capture samples (at the capture rate) as they arrive;
the worker thread resamples them to ``processor.sample_rate`` (a continuous stream, so hop borders leave no
artefacts), cuts hops of ``hop_seconds`` and calls ``processor.push(hop, t0)`` with ``t0`` in seconds from the
start of the stream.

Resampling holds audio back (a linear-phase filter needs samples after the one it outputs): soxr's "HQ" holds
~17-24 ms, which is the default. A processor that needs low latency more than a flat top octave sets
``resample_quality = "low-delay"``: an integer ratio (48 -> 16 kHz) then uses a short FIR decimator (< 1 ms
held back, flat to 0.75 of the output's Nyquist), any other ratio soxr "LQ" (~7-9 ms, flat to ~0.8 Nyquist).

Layer updates are collected for the owner to take with :meth:`take_layers`; each update's
``metadata["latency"]`` is the time (s) from the moment the hop's last sample was fed to the moment its layers
were ready (the driver's processing delay; add the capture latency for the total).

Threading: ``feed`` from one feeding thread (the session's feeder), ``take_layers``/``stop`` from the owner's
thread; ``push``/``flush`` in the worker only.
A processor that raises stops the driver and leaves the message in ``error``.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque

import numpy as np

from workbench.core.plugin_api import StreamProcessor

log = logging.getLogger(__name__)


class FirDecimator:
    """Streaming integer-factor decimator with a short linear-phase FIR, aligned so that output sample ``i`` is
    input time ``i / output rate`` (it holds back ``(taps - 1) / 2`` input samples, < 1 ms at 48 kHz).

    The same ``resample_chunk(x, last=False)`` interface as ``soxr.ResampleStream``."""

    def __init__(self, factor: int, taps_per_output: int = 16):
        from scipy.signal import firwin

        self.factor = int(factor)
        half = taps_per_output * self.factor  # a multiple of the factor: the delay is whole output samples
        self._h = firwin(2 * half + 1, 0.85 / self.factor).astype(np.float32)[::-1].copy()
        self._history = np.zeros(2 * half, np.float32)  # the input before this chunk (zeros: silence before)
        self._skip = taps_per_output  # outputs before time 0 (the filter's delay), dropped once
        self._half = half

    def resample_chunk(self, x: np.ndarray, last: bool = False) -> np.ndarray:
        x = np.asarray(x, np.float32).reshape(-1)
        if last:  # silence after the end lets the held-back samples out
            x = np.concatenate([x, np.zeros(self._half, np.float32)])
        buf = np.concatenate([self._history, x])
        n_taps = len(self._h)
        count = (len(buf) - n_taps) // self.factor + 1 if len(buf) >= n_taps else 0
        if count <= 0:
            self._history = buf
            return np.zeros(0, np.float32)
        frames = np.lib.stride_tricks.sliding_window_view(buf, n_taps)[::self.factor][:count]
        y = frames @ self._h
        self._history = buf[count * self.factor:]
        if self._skip:
            dropped = min(self._skip, len(y))
            y, self._skip = y[dropped:], self._skip - dropped
        return y.astype(np.float32)


def make_resampler(input_rate: int, rate: int, quality: str = "HQ"):
    """A streaming resampler (``resample_chunk``) from ``input_rate`` to ``rate``; None when they are equal."""
    import soxr

    if rate == input_rate:
        return None
    if quality == "low-delay":
        if input_rate % rate == 0:
            return FirDecimator(input_rate // rate)
        quality = "LQ"
    return soxr.ResampleStream(input_rate, rate, 1, dtype="float32", quality=quality)


class StreamDriver:
    def __init__(self, processor: StreamProcessor, input_rate: int, hop_seconds: float = 0.1, name: str = ""):
        self.processor = processor
        self.name = name or type(processor).__name__
        self.input_rate = int(input_rate)
        self.rate = int(getattr(processor, "sample_rate", input_rate))
        self.hop = max(1, int(round(hop_seconds * self.rate)))
        self.resample_quality = str(getattr(processor, "resample_quality", "HQ"))
        self._resampler = make_resampler(self.input_rate, self.rate, self.resample_quality)
        self._inbox: queue.Queue = queue.Queue()
        self._outbox: deque = deque()
        self._pending = np.zeros(0, np.float32)
        self._consumed = 0  # samples at ``rate`` handed to the processor
        self._fed = 0  # samples at ``input_rate`` fed so far (the stream position of the next feed)
        self.latencies: list[float] = []  # per hop, seconds (see module docstring)
        self.error = ""
        self._thread = threading.Thread(target=self._run, name=f"live-{self.name}", daemon=True)
        self._thread.start()

    def feed(self, samples: np.ndarray, start_time: float | None = None) -> None:
        """Queue mono float32 samples at ``input_rate`` (not modified later by the caller).

        ``start_time`` (s on the stream clock) is needed only after a gap (e.g. a pause): the processor's
        times then jump with it instead of running on from the last hop.
        """
        if not len(samples):
            return
        samples = np.asarray(samples, np.float32).reshape(-1)
        if start_time is not None and abs(start_time * self.input_rate - self._fed) >= 1:
            self._inbox.put(("jump", start_time))
            self._fed = int(round(start_time * self.input_rate))
        self._fed += len(samples)
        self._inbox.put((samples, time.monotonic()))

    def take_layers(self) -> list:
        """Layer updates produced since the last call, oldest first."""
        out = []
        while self._outbox:
            out.append(self._outbox.popleft())
        return out

    def stop(self, timeout: float = 30.0) -> list:
        """End of stream: the worker flushes the processor; returns the remaining layer updates."""
        self._inbox.put(None)
        self._thread.join(timeout)
        return self.take_layers()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        if getattr(self.processor, "kernel_threads", 0) == 1:  # small per-hop work: one thread is faster
            from workbench.core.features.blocks import single_threaded_kernels

            single_threaded_kernels()
        try:
            while True:
                item = self._inbox.get()
                if item is None:
                    if self._resampler is not None:
                        self._pending = np.concatenate([self._pending, self._resampler.resample_chunk(
                            np.zeros(0, np.float32), last=True)])
                    if len(self._pending):
                        self._push(self._pending, time.monotonic())
                    self._emit(self.processor.flush(), None)
                    return
                if isinstance(item[0], str):  # ("jump", start_time)
                    self._jump(item[1])
                    continue
                samples, fed_at = item
                # Coalesce what queued up meanwhile: the processor catches up in larger steps, never drops.
                while True:
                    try:
                        nxt = self._inbox.get_nowait()
                    except queue.Empty:
                        break
                    if nxt is None or isinstance(nxt[0], str):
                        self._requeue(nxt)
                        break
                    samples, fed_at = np.concatenate([samples, nxt[0]]), nxt[1]
                if self._resampler is not None:
                    samples = self._resampler.resample_chunk(samples)
                self._pending = np.concatenate([self._pending, samples])
                n = (len(self._pending) // self.hop) * self.hop
                if n:
                    hop, self._pending = self._pending[:n], self._pending[n:]
                    self._push(hop, fed_at)
        except Exception as exc:  # shown to the user; the capture itself goes on
            log.exception("live processor %s failed", self.name)
            self.error = f"Live {self.name} stopped: {exc}"

    def _requeue(self, item) -> None:
        """Put a control item back at the front of the inbox (after what was coalesced)."""
        with self._inbox.mutex:
            self._inbox.queue.appendleft(item)
            self._inbox.unfinished_tasks += 1
            self._inbox.not_empty.notify()

    def _jump(self, start_time: float) -> None:
        """A gap in the input: drop the partial hop and restart the resampler at ``start_time`` s."""
        self._pending = np.zeros(0, np.float32)
        self._consumed = int(round(start_time * self.rate))
        self._resampler = make_resampler(self.input_rate, self.rate, self.resample_quality)

    def _push(self, samples: np.ndarray, fed_at: float) -> None:
        t0 = self._consumed / self.rate
        self._consumed += len(samples)
        self._emit(self.processor.push(samples, t0), fed_at)

    def _emit(self, layers, fed_at: float | None) -> None:
        now = time.monotonic()
        latency = now - fed_at if fed_at is not None else None
        if latency is not None:
            self.latencies.append(latency)
        for layer in layers or []:
            if latency is not None:
                layer.metadata["latency"] = latency
            self._outbox.append(layer)
