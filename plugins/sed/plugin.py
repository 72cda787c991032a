"""Sound event detection: YAMNet scores on overlapping windows -> Events (one lane per class).

Classes are a preset (each preset class is a union of AudioSet classes, see :mod:`.presets`), AudioSet classes
named by the user, or the top-k AudioSet classes found. YAMNet's 0.96 s windows are scored every ``hop_s``
(0.12 s by default instead of YAMNet's own 0.48 s) and onsets/offsets are decoded from that finer curve
(:mod:`.decoding`). Speech regions are refined by the voice-activity plugin when it is installed.
"""

from __future__ import annotations

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.errors import JobCancelled, WorkbenchError
from workbench.core.layers import Events, Layer
from workbench.core.plugin_api import JobContext
from workbench_plugins.audioset.plugin import scores_over_time
from workbench_plugins.audioset.yamnet import MODEL_ID, RATE

from .decoding import SPEECH, Setup, events_layer, pick_classes, setup
from .head import HEAD_ID

__all__ = ["process", "vad_regions", "SPEECH"]


def vad_regions(audio: AudioBuffer, ctx: JobContext) -> list[tuple[float, float, float]] | None:
    """Speech regions from the VAD plugin, or None when it is not installed or its model is missing."""
    try:
        from workbench_plugins.vad import plugin as vad  # another plugin (declared in the manifest's requires)
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
    """Events of the chosen preset, named or top-k classes; see the manifest for the parameters."""
    ctx.progress(0.0, "loading YAMNet")
    s: Setup = setup(params, ctx)  # checks the parameters before any work
    if not np.all(np.isfinite(audio.mono_samples)):
        raise WorkbenchError("The audio contains NaN or infinite samples; sound events need finite audio.")
    model, _, scores = scores_over_time(audio, ctx, (0.02, 0.85), hop_frames=s.hop_frames)
    if s.groups is None:  # top classes: chosen from this file's scores
        s = pick_classes(s, scores, model.labels)
    regions = None
    if params.get("use_vad", True) and SPEECH in s.names:
        ctx.progress(0.87, "voice activity")
        # the VAD is sharper in time (32 ms frames); YAMNet confirms that a region is speech
        regions = vad_regions(audio, ctx)
    head = None
    if s.head_lanes:  # finer onsets for sirens, horns and speech (street preset)
        ctx.progress(0.9, "event head")
        from workbench.core.resample import resample_array

        from .head import context_groups, load_head

        x16 = resample_array(np.asarray(audio.mono_samples, np.float32), audio.sample_rate, RATE)
        head = load_head(ctx).activity(x16, context_groups(scores, model.labels), s.hop_s)
    layer = events_layer(s, scores, audio.duration, regions, head)
    layer.metadata["model"] = MODEL_ID + (" + " + HEAD_ID if s.head_lanes else "")
    layer.metadata["jams_namespace"] = "tag_audioset"  # JAMS falls back to tag_open for labels outside AudioSet
    ctx.progress(1.0, "done")
    return [layer]
