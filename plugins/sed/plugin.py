"""Sound event detection: YAMNet frame scores -> Events (label = AudioSet class, one lane per class)."""

from __future__ import annotations

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError, JobCancelled, WorkbenchError
from workbench.core.layers import Events, Layer
from workbench.core.plugin_api import JobContext
from workbench_plugins.audioset.plugin import scores_over_time
from workbench_plugins.audioset.yamnet import HOP_S, MODEL_ID, PATCH_S

from .events import EventParams, detect, pick_classes, refine_with_regions

SPEECH = "Speech"


def frame_spans(count: int, duration: float) -> tuple[np.ndarray, np.ndarray]:
    """Time span each YAMNet window stands for: its centre 0.48 s; the first starts at 0, the last ends the file."""
    starts = np.arange(count) * HOP_S + (PATCH_S - HOP_S) / 2
    ends = starts + HOP_S
    starts[0] = 0.0
    ends[-1] = max(ends[-1], duration)
    return np.minimum(starts, duration), np.minimum(ends, duration)


def vad_regions(audio: AudioBuffer, ctx: JobContext) -> list[tuple[float, float, float]] | None:
    """Speech regions from the VAD plugin, or None when it is not installed or its model is missing."""
    try:
        from workbench_plugins.vad import plugin as vad  # optional: another plugin
    except ImportError:
        return None
    sub = JobContext(device=ctx.device, models=ctx.models, logger=ctx.logger, cancel_flag=ctx.cancel_flag,
                     is_cancelled=ctx.is_cancelled)  # own progress: the VAD reports 1.0 when it ends
    try:
        layers = vad.process(audio, {}, sub)
    except JobCancelled:
        raise
    except (WorkbenchError, ImportError, OSError) as exc:
        ctx.logger.warning("VAD not used for speech regions: %s", exc)
        return None
    ev = next((layer for layer in layers if isinstance(layer, Events)), None)
    if ev is None:
        return None
    return [(float(a), float(b), float(c)) for a, b, c in zip(ev.starts, ev.ends, ev.confidences)]


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Events of the chosen (or top-k) AudioSet classes; see the manifest for the parameters."""
    p = EventParams(on=params.get("on_threshold", 0.5), off=params.get("off_threshold", 0.3),
                    median_frames=params.get("median_frames", 3), min_duration=params.get("min_duration", 0.5),
                    min_gap=params.get("min_gap", 0.5))
    if p.off > p.on:
        raise InvalidParameterError(f"off_threshold ({p.off}) must not be above on_threshold ({p.on})")
    ctx.progress(0.0, "loading YAMNet")
    model, times, scores = scores_over_time(audio, ctx, (0.02, 0.85))
    classes = pick_classes(scores, model.labels, params.get("classes", ""), params.get("top_k", 8), p.on,
                           p.median_frames)
    starts, ends = frame_spans(len(times), audio.duration)
    found = detect(scores, starts, ends, classes, p)
    by_label = {model.labels[c]: spans for c, spans in found.items()}
    meta = {"model": MODEL_ID, "classes": list(by_label), "frame_hop_s": HOP_S, "speech_source": "yamnet"}
    if params.get("use_vad", True) and SPEECH in by_label:
        ctx.progress(0.87, "voice activity")
        regions = vad_regions(audio, ctx)
        if regions is not None:
            # the VAD is sharper in time (32 ms frames vs 0.48 s); YAMNet confirms that a region is speech
            by_label[SPEECH] = refine_with_regions(by_label[SPEECH], regions)
            meta["speech_source"] = "yamnet+vad"
    rows = sorted((a, b, label, c) for label, spans in by_label.items() for a, b, c in spans)
    layer = Events(name="sound events", starts=[r[0] for r in rows], ends=[r[1] for r in rows],
                   labels=[r[2] for r in rows], confidences=[r[3] for r in rows], metadata=meta)
    ctx.progress(1.0, "done")
    return [layer]
