"""AudioSet tagging with YAMNet: clip-level scores and per-window scores (Tags layer with a heat map)."""

from __future__ import annotations


import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.layers import Layer, Tags
from workbench.core.plugin_api import JobContext

from .yamnet import HOP_S, MODEL_ID, PATCH_HOP, PATCH_S, YamNet, frame_scores

def load_model(ctx: JobContext) -> YamNet:
    """The shared YAMNet session, in the model store's one cache (checksum-checked through the store)."""
    if ctx.models is None:
        return YamNet.load(None, ctx.device)
    return ctx.models.cached(MODEL_ID, ctx.device, lambda: YamNet.load(ctx.models.path(MODEL_ID), ctx.device))


def scores_over_time(audio: AudioBuffer, ctx: JobContext, span=(0.0, 1.0),
                     hop_frames: int = PATCH_HOP) -> tuple[YamNet, np.ndarray, np.ndarray]:
    """(model, window start times in s, (windows, 521) probabilities) for the mono mix of ``audio``, a window
    every ``hop_frames`` 10 ms frames."""
    from workbench.core.compute import onnx_device

    model = load_model(ctx)
    ctx.ran_on(onnx_device(model.session, ctx.device))
    lo, hi = span
    times, scores = frame_scores(model, audio.mono_samples, audio.sample_rate, hop_frames=hop_frames,
                                 progress=lambda f: ctx.progress(lo + (hi - lo) * f, "YAMNet"))
    return model, times, scores


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Tags layer: clip scores of the top-k classes, and their scores per window.

    Frame convention: ``frame_times[i]`` is the centre quarter-start of window i (start + 0.24 s) and
    ``frame_duration`` the 0.48 s hop, so the heat-map cells tile the timeline; window i itself spans
    ``[i*0.48, i*0.48 + 0.96]`` s.
    """
    ctx.progress(0.0, "loading YAMNet")
    model, times, scores = scores_over_time(audio, ctx, (0.02, 0.98))
    clip = scores.max(axis=0) if params.get("pooling", "mean") == "max" else scores.mean(axis=0)
    k = int(params.get("top_k", 25)) or len(clip)
    order = np.argsort(-clip)[:k]
    layer = Tags(
        name="AudioSet tags", labels=[model.labels[i] for i in order], scores=clip[order],
        frame_times=times + (PATCH_S - HOP_S) / 2, frame_scores=scores[:, order], frame_duration=HOP_S,
        metadata={"model": MODEL_ID, "window_s": PATCH_S, "hop_s": HOP_S, "pooling": params.get("pooling", "mean"),
                  "jams_namespace": "tag_audioset"},  # the labels are AudioSet class names
    )
    ctx.progress(1.0, "done")
    return [layer]
