"""VAD plugin: speech regions as an Events layer (label 'speech'); also a live stream processor."""

from __future__ import annotations

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.layers import Events, Layer
from workbench.core.models import ModelStore, default_store
from workbench.core.plugin_api import JobContext

from .detector import SAMPLE_RATE, SileroModel, SpeechDetector, detect_speech

MODEL_ID = "silero-vad"


def load_model(store: ModelStore | None = None) -> SileroModel:
    """A fresh Silero model (stateful: one per job or stream). ONNX Runtime on the CPU (RTF < 0.01 there)."""
    return SileroModel((store or default_store()).path(MODEL_ID))


def _detector_args(params: dict) -> dict:
    return dict(
        threshold=float(params.get("threshold", 0.5)), min_speech=params.get("min_speech_ms", 250) / 1000.0,
        min_silence=params.get("min_silence_ms", 100) / 1000.0, pad=params.get("speech_pad_ms", 30) / 1000.0,
    )


def _events(regions: list[tuple[float, float, float]], offset: float = 0.0) -> Events:
    return Events(
        name="speech", starts=[offset + a for a, _, _ in regions], ends=[offset + b for _, b, _ in regions],
        labels=["speech"] * len(regions), confidences=[c for _, _, c in regions], metadata={"model": MODEL_ID},
    )


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Speech regions of the whole buffer (times in seconds)."""
    model = load_model(ctx.models)
    samples = audio.mono(SAMPLE_RATE).samples[0]
    probs = model.probabilities(samples, progress=lambda f: ctx.progress(0.95 * f, "detecting speech"))
    regions = detect_speech(probs, duration=len(samples) / SAMPLE_RATE, **_detector_args(params))
    ctx.progress(1.0, "done")
    return [_events(regions)]


class VadStream:
    """Live speech detection: ``push`` 16 kHz hops, get an Events layer of the regions that closed in them.

    ``events`` after a push holds the raw start/end events of that push (for live transcription, which cuts
    utterances at 'end' events).
    """

    sample_rate = SAMPLE_RATE

    def __init__(self, params: dict, store: ModelStore | None = None):
        self.detector = SpeechDetector(model=load_model(store), **_detector_args(params))
        self.t0: float | None = None
        self.events = []
        self._open: float | None = None

    def push(self, samples, t0: float) -> list[Layer]:
        if self.t0 is None:
            self.t0 = t0  # the detector's clock starts at the first hop
        self.events = self.detector.push(np.asarray(samples, dtype=np.float32))
        return self._layers(self.events)

    def flush(self) -> list[Layer]:
        self.events = self.detector.flush()
        return self._layers(self.events)

    def _layers(self, events) -> list[Layer]:
        regions = []
        for e in events:  # a region may start in one hop and end in a later one
            if e.kind == "start":
                self._open = e.time
            elif e.kind == "end" and self._open is not None:
                regions.append((self._open, e.time, e.confidence))
                self._open = None
        return [_events(regions, self.t0 or 0.0)] if regions else []


def stream(params: dict, ctx: JobContext) -> VadStream:
    return VadStream(params, ctx.models)
