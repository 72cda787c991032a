"""Runs a plugin's :class:`StreamProcessor` in a worker thread on hops of a live stream.

The owner calls :meth:`StreamDriver.feed` with mono capture samples (at the capture rate) as they are drained;
the worker thread resamples them to ``processor.sample_rate`` (a continuous soxr stream, so hop borders leave
no artefacts), cuts hops of ``hop_seconds`` and calls ``processor.push(hop, t0)`` with ``t0`` in seconds from the
start of the stream. Layer updates are collected for the owner to take with :meth:`take_layers`; each update's
``metadata["latency"]`` is the time (s) from the moment the hop's last sample was fed to the moment its layers
were ready (the driver's processing delay; add the capture latency for the total).

Threading: ``feed``/``take_layers``/``stop`` from the owner's thread; ``push``/``flush`` in the worker only.
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


class StreamDriver:
    def __init__(self, processor: StreamProcessor, input_rate: int, hop_seconds: float = 0.1, name: str = ""):
        import soxr

        self.processor = processor
        self.name = name or type(processor).__name__
        self.input_rate = int(input_rate)
        self.rate = int(getattr(processor, "sample_rate", input_rate))
        self.hop = max(1, int(round(hop_seconds * self.rate)))
        self._resampler = None if self.rate == self.input_rate else soxr.ResampleStream(
            self.input_rate, self.rate, 1, dtype="float32", quality="HQ")
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
        import soxr

        self._pending = np.zeros(0, np.float32)
        self._consumed = int(round(start_time * self.rate))
        if self._resampler is not None:
            self._resampler = soxr.ResampleStream(self.input_rate, self.rate, 1, dtype="float32", quality="HQ")

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
