"""Live clean-speech monitor: RNNoise on the microphone, returning the cleaned audio to play.

:class:`CleanSpeechMonitor` is the enhance plugin's live processor (``LiveProcessor(id="enhance")``, made by
:func:`make_processor`). Interface, for the live panel:

- ``sample_rate`` (48000): the rate ``push`` wants its input at (mono float32, -1..1).
- ``push(samples, t0) -> np.ndarray``: feed the next hop (any length); returns the cleaned mono float32 audio that
  is ready (a whole number of 10 ms frames, possibly empty). Output sample ``i`` of the stream corresponds to input
  sample ``i - DELAY`` (RNNoise's 20 ms), so the returned audio can be written straight to an output player.
- ``flush() -> np.ndarray``: the rest (pending partial frame and the delayed tail) at the end of the stream.
- ``latency_s``: what the monitor adds between capture and output: RNNoise's delay, the wait for a partial frame
  to complete (up to 10 ms) and the compute time of the latest push, in seconds (< 50 ms; the host adds its
  capture and output buffering).
- ``speech_probability``: RNNoise's voice-activity estimate for the latest frame (0..1).

Threading: ``push``/``flush`` from one worker thread (the streaming driver's).
"""

from __future__ import annotations

import time

import numpy as np

from workbench.core.plugin_api import JobContext

from .plugin import library_path
from .rnnoise import DELAY, FRAME, SAMPLE_RATE, Denoiser


class CleanSpeechMonitor:
    sample_rate = SAMPLE_RATE

    def __init__(self, library: str, mix: float = 1.0):
        self.denoiser = Denoiser(library, 1)
        self.mix = float(mix)
        self._pending = np.zeros(0, np.float32)
        self._dry = np.zeros(DELAY, np.float32)  # the input delayed like the output, for ``mix`` < 1
        self.compute_s = 0.0
        self.speech_probability = 0.0

    @property
    def latency_s(self) -> float:
        return (DELAY + FRAME) / SAMPLE_RATE + self.compute_s

    def push(self, samples, t0: float = 0.0) -> np.ndarray:
        start = time.perf_counter()
        x = np.concatenate([self._pending, np.asarray(samples, np.float32).reshape(-1)])
        k = len(x) // FRAME * FRAME
        self._pending = x[k:]
        if k == 0:
            return np.zeros(0, np.float32)
        y, vad = self.denoiser.process(x[None, :k])
        y = y[0]
        self.speech_probability = float(vad[0, -1])
        if self.mix < 1.0:
            dry = np.concatenate([self._dry, x[:k]])
            self._dry = dry[k:]
            y = self.mix * y + (1.0 - self.mix) * dry[:k]
        self.compute_s = time.perf_counter() - start
        return np.clip(y, -1.0, 1.0).astype(np.float32)

    def flush(self) -> np.ndarray:
        pad = (-len(self._pending)) % FRAME
        tail = self.push(np.zeros(pad + DELAY, np.float32))
        self.denoiser.close()
        return tail

    def close(self) -> None:
        self.denoiser.close()


def make_processor(params: dict, ctx: JobContext) -> CleanSpeechMonitor:
    """The live processor for the enhance plugin's ``LiveProcessor`` contribution."""
    return CleanSpeechMonitor(library_path(ctx), mix=float((params or {}).get("mix", 1.0)))
