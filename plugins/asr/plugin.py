"""ASR plugin: audio in, Segments (sentences) and Words layers out; times in seconds."""

from __future__ import annotations

from workbench.core.audio import AudioBuffer, tame_loud
from workbench.core.layers import Layer
from workbench.core.models import default_store
from workbench.core.plugin_api import JobContext

from .manifest import MODEL_CHOICES

SAMPLE_RATE = 16000


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Transcribe the whole buffer. Progress follows decoded time; cancel stops after the current 30 s window."""
    model_id = MODEL_CHOICES[params.get("model", "base")]
    store = ctx.models or default_store()
    language = (params.get("language") or "auto").strip().lower()
    ctx.progress(0.0, f"loading {model_id}")
    samples, loud = tame_loud(audio.mono(SAMPLE_RATE).samples[0])  # far above full scale: invented text
    if loud:
        ctx.logger.warning(loud)
    ctx.progress(0.02, "transcribing")

    span = 0.83 if params.get("speakers") else 0.98  # diarization takes the rest

    def report(fraction: float, text: str) -> None:
        ctx.progress(0.02 + span * fraction, text)

    if model_id.startswith("wav2vec2"):
        from .ctc import transcribe_ctc

        segments, words = transcribe_ctc(samples, device=ctx.device, progress=report, store=store)
    else:
        from .engine import transcribe

        segments, words = transcribe(
            samples, model_id, ctx.device, language=None if language == "auto" else language,
            word_timestamps=bool(params.get("word_timestamps", True)), progress=report, store=store,
            beam_size=int(params.get("beam_size", 5)), skip_silence=bool(params.get("skip_silence", True)),
            on_partial=lambda segs, words: ctx.emit([segs, words] if params.get("word_timestamps", True) else [segs]),
        )
    if params.get("speakers"):
        _label_speakers(audio, ctx, [segments, words])
    ctx.progress(1.0, "done")
    ctx.ran_on(segments.metadata.get("device", ctx.device))
    if loud:
        for layer in (segments, words):
            layer.metadata.setdefault("warnings", []).append(loud)
    return [segments, words] if params.get("word_timestamps", True) else [segments]


def _label_speakers(audio: AudioBuffer, ctx: JobContext, layers: list[Layer]) -> None:
    """Who said each segment and word (the diarization plugin), in ``metadata["speakers"]`` of each layer."""
    from workbench_plugins.diarization.assign import assign_speakers
    from workbench_plugins.diarization.plugin import run_diarization, turns_layer

    turns = turns_layer(run_diarization(audio, {}, ctx, progress_span=(0.85, 1.0)), {})
    for layer in layers:
        assign_speakers(layer, turns)
