"""Diarization plugin: an Events layer of speaker turns, labels 'Speaker 1..N' (one lane per label)."""

from __future__ import annotations

from workbench.core.audio import AudioBuffer
from workbench.core.errors import WorkbenchError
from workbench.core.layers import Events, Layer
from workbench.core.plugin_api import JobContext

from .diarize import SAMPLE_RATE, diarize, speech_regions, speaker_names
from .encoder import MODEL_ID


def turns_layer(turns: list[tuple[float, float, int]], params: dict) -> Events:
    """The Events layer for ``turns`` (start s, end s, speaker index); metadata lists the speaker names."""
    count = 1 + max((k for _, _, k in turns), default=-1)
    names = speaker_names(count)
    return Events(
        name="speakers", starts=[a for a, _, _ in turns], ends=[b for _, b, _ in turns],
        labels=[names[k] for _, _, k in turns],
        metadata={"plugin": "diarization", "model": MODEL_ID, "vad": "silero-vad", "speakers": names,
                  "params": dict(params)},
    )


def run_diarization(audio: AudioBuffer, params: dict, ctx: JobContext,
                    progress_span: tuple[float, float] = (0.0, 1.0)) -> list[tuple[float, float, int]]:
    """Speaker turns of ``audio`` (empty when there is no speech); used by this plugin and by ASR."""
    lo, hi = progress_span
    samples = audio.mono(SAMPLE_RATE).samples[0]
    report = lambda f, text: ctx.progress(lo + (hi - lo) * f, text)  # noqa: E731
    regions = speech_regions(samples, ctx.models, lambda f, t: report(0.3 * f, t),
                             threshold=float(params.get("vad_threshold", 0.5)))
    return diarize(samples, speakers=int(params.get("speakers", 0)), threshold=float(params.get("threshold", 0.32)),
                   max_speakers=int(params.get("max_speakers", 10)), device=ctx.device, store=ctx.models,
                   progress=report, regions=regions)


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Speaker turns of the whole buffer; a clear error when it holds no speech."""
    ctx.progress(0.0, "finding speech")
    turns = run_diarization(audio, params, ctx)
    if not turns:
        raise WorkbenchError("No speech found: nothing to diarize (the voice-activity detector heard no one speak)")
    ctx.progress(1.0, "done")
    return [turns_layer(turns, params)]
