"""Silero VAD without the silero-vad package's import side effects (it sets torch's thread count to 1).

:class:`SileroModel` runs the package's ONNX file with ONNX Runtime on 512-sample frames at 16 kHz
(32 ms each), keeping the recurrent state and the 64-sample context between calls, like the package's own
wrapper. :class:`SpeechDetector` turns frame probabilities into speech regions; the same state machine serves
whole files (:func:`detect_speech`) and live streams (feed frames, receive start/end events).
Times are seconds from the first sample fed. Threading: one model / detector per thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

SAMPLE_RATE = 16000  # Hz
FRAME = 512  # samples per model step (32 ms)
CONTEXT = 64  # samples of the previous frame the model sees


class SileroModel:
    """Speech probability per 512-sample frame (stateful across calls; :meth:`reset` between streams)."""

    def __init__(self, onnx_path: str | Path):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.inter_op_num_threads = 1  # a tiny model: threads cost more than they save
        opts.intra_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_path), sess_options=opts, providers=["CPUExecutionProvider"])
        self.reset()

    def reset(self) -> None:
        self._state = np.zeros((2, 1, 128), dtype=np.float32)
        self._context = np.zeros((1, CONTEXT), dtype=np.float32)

    def frame_probability(self, frame: np.ndarray) -> float:
        """Probability (0..1) that the 512-sample frame (float32, 16 kHz) contains speech."""
        x = np.concatenate([self._context, np.asarray(frame, dtype=np.float32).reshape(1, FRAME)], axis=1)
        out, self._state = self.session.run(
            None, {"input": x, "state": self._state, "sr": np.array(SAMPLE_RATE, dtype=np.int64)}
        )
        self._context = x[:, -CONTEXT:]
        return float(out.reshape(-1)[0])

    def probabilities(self, samples: np.ndarray, progress: Callable[[float], None] | None = None) -> np.ndarray:
        """Per-frame probabilities of a whole 16 kHz signal (zero-padded to whole frames)."""
        self.reset()
        x = np.asarray(samples, dtype=np.float32).reshape(-1)
        n = -(-len(x) // FRAME)
        x = np.pad(x, (0, n * FRAME - len(x)))
        probs = np.empty(n, dtype=np.float32)
        for i in range(n):
            probs[i] = self.frame_probability(x[i * FRAME:(i + 1) * FRAME])
            if progress and i % 500 == 0:
                progress(i / n)
        return probs


@dataclass
class SpeechEvent:
    """'start' or 'end' of speech at ``time`` seconds; ``end`` events carry the region's mean probability."""

    kind: str
    time: float
    confidence: float = 1.0


class SpeechDetector:
    """Hysteresis on frame probabilities: starts at ``threshold``, ends after ``min_silence`` s below
    ``threshold - 0.15``; regions shorter than ``min_speech`` s are dropped. Start events are reported once a
    region has lasted ``min_speech`` s (with its true start time), end events after the closing silence.
    """

    def __init__(self, threshold: float = 0.5, min_speech: float = 0.25, min_silence: float = 0.1,
                 pad: float = 0.03, model: SileroModel | None = None):
        self.threshold, self.low = threshold, max(0.01, threshold - 0.15)
        self.min_speech, self.min_silence, self.pad = min_speech, min_silence, pad
        self.model = model
        self._buffer = np.zeros(0, dtype=np.float32)
        self._frame_index = 0
        self._start: float | None = None
        self._silence_from: float | None = None
        self._announced = False
        self._probs: list[float] = []
        self._last_end = 0.0

    def push_probability(self, p: float) -> list[SpeechEvent]:
        """Advance by one frame with speech probability ``p``."""
        t = self._frame_index * FRAME / SAMPLE_RATE
        self._frame_index += 1
        events: list[SpeechEvent] = []
        if self._start is None:
            if p >= self.threshold:
                self._start, self._silence_from, self._probs, self._announced = t, None, [p], False
        else:
            self._probs.append(p)
            if p >= self.threshold:
                self._silence_from = None
            elif p < self.low:
                self._silence_from = self._silence_from if self._silence_from is not None else t
                if t + FRAME / SAMPLE_RATE - self._silence_from >= self.min_silence:
                    events += self._close(self._silence_from)
        if self._start is not None and not self._announced and t + FRAME / SAMPLE_RATE - self._start >= self.min_speech:
            self._announced = True
            events.insert(0, SpeechEvent("start", max(self._last_end, self._start - self.pad)))
        return events

    def push(self, samples: np.ndarray) -> list[SpeechEvent]:
        """Feed 16 kHz float32 samples of any length (frames of 512 are taken as they complete)."""
        if self.model is None:
            raise RuntimeError("SpeechDetector.push needs a SileroModel")
        self._buffer = np.concatenate([self._buffer, np.asarray(samples, dtype=np.float32).reshape(-1)])
        events: list[SpeechEvent] = []
        while len(self._buffer) >= FRAME:
            frame, self._buffer = self._buffer[:FRAME], self._buffer[FRAME:]
            events += self.push_probability(self.model.frame_probability(frame))
        return events

    def flush(self) -> list[SpeechEvent]:
        """End of input: closes an open region at the current time."""
        if self._start is None:
            return []
        return self._close(self._frame_index * FRAME / SAMPLE_RATE, at_end=True)

    def _close(self, end: float, at_end: bool = False) -> list[SpeechEvent]:
        start, probs, announced = self._start, self._probs, self._announced
        self._start, self._silence_from, self._probs = None, None, []
        if end - start < self.min_speech:
            return []
        padded_end = end if at_end else end + self.pad
        self._last_end = padded_end
        events = [] if announced else [SpeechEvent("start", max(0.0, start - self.pad))]
        return events + [SpeechEvent("end", padded_end, float(np.mean(probs)) if probs else 1.0)]


def regions_from_events(events: list[SpeechEvent]) -> list[tuple[float, float, float]]:
    """(start s, end s, mean probability) for each start/end pair."""
    out, start = [], None
    for e in events:
        if e.kind == "start":
            start = e.time
        elif e.kind == "end" and start is not None:
            out.append((start, e.time, e.confidence))
            start = None
    return out


def detect_speech(probs: np.ndarray, threshold: float = 0.5, min_speech: float = 0.25, min_silence: float = 0.1,
                  pad: float = 0.03, duration: float | None = None) -> list[tuple[float, float, float]]:
    """Speech regions (start s, end s, mean probability) of a whole signal from its frame probabilities."""
    det = SpeechDetector(threshold, min_speech, min_silence, pad)
    events: list[SpeechEvent] = []
    for p in probs:
        events += det.push_probability(float(p))
    events += det.flush()
    regions = regions_from_events(events)
    if duration is not None:
        regions = [(max(0.0, a), min(duration, b), c) for a, b, c in regions]
    return regions
