"""Sound event detection: YAMNet scores on overlapping windows -> Events (one lane per class).

Classes are a preset (each preset class is a union of AudioSet classes, see :mod:`.presets`), AudioSet classes
named by the user, or the top-k AudioSet classes found. YAMNet's 0.96 s windows are scored every ``hop_s``
(0.12 s by default instead of YAMNet's own 0.48 s) and onsets/offsets are decoded from that finer curve
(:mod:`.decoding`). Speech regions are refined by the voice-activity plugin when it is installed.

Results as they arrive: YAMNet runs over the file in blocks of ``EMIT_WINDOWS`` windows (about 30 s at the
default hop); after each block but the last, the events found so far are handed to ``ctx.emit`` (decoded from
YAMNet's scores alone; the head and the VAD refine them once the whole file is scored), so a cancelled job
keeps what was done.
"""

from __future__ import annotations

import threading
from dataclasses import replace

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.errors import JobCancelled, WorkbenchError
from workbench.core.layers import Layer
from workbench.core.plugin_api import JobContext
from workbench_plugins.audioset.plugin import load_model
from workbench_plugins.audioset.yamnet import HOP, MODEL_ID, PATCH, RATE, frame_scores, patch_count

from .decoding import SPEECH, Setup, events_layer, pick_classes, setup, speech_spans
from .events import EventParams, join_intervals
from .head import HEAD_ID

EMIT_WINDOWS = 256  # windows per block between partial results (a multiple of frame_scores' 64-window blocks)

__all__ = ["process", "analyse", "vad_regions", "scores_in_blocks", "SPEECH", "EMIT_WINDOWS"]


def model_labels() -> list[str]:
    from workbench_plugins.audioset.yamnet import class_names

    return class_names()


VAD_MARGIN_S = 2.0  # audio either side of a YAMNet speech event that the VAD hears
_vad_models: dict = {}  # one Silero session per model file: creating one costs more CPU than 10 s of audio
_vad_lock = threading.Lock()  # the model is stateful (reset at each run): one run at a time


def vad_regions(audio: AudioBuffer, ctx: JobContext, spans: list[tuple[float, float]] | None = None
                ) -> list[tuple[float, float, float]] | None:
    """Speech regions from the VAD plugin, or None when it is not installed or its model is missing.

    With ``spans`` (YAMNet's speech events) the VAD only listens to them and ``VAD_MARGIN_S`` around: the
    refinement drops VAD regions away from YAMNet's events anyway (:func:`.events.refine_with_regions`), and
    the VAD is a third of the cost of a file run."""
    try:
        from workbench_plugins.vad import plugin as vad  # another plugin (declared in the manifest's requires)
        from workbench_plugins.vad.detector import FRAME, SAMPLE_RATE, detect_speech
    except ImportError:
        return None
    try:
        from workbench.core.models import default_store

        key = str((ctx.models or default_store()).path(vad.MODEL_ID))
        with _vad_lock:
            if key not in _vad_models:
                _vad_models[key] = vad.load_model(ctx.models)
            model = _vad_models[key]
        x = np.asarray(audio.mono(SAMPLE_RATE).samples[0], np.float32)
        duration = len(x) / SAMPLE_RATE
        windows = [(0.0, duration)] if spans is None else [
            (a, b) for a, b, _ in join_intervals([(max(0.0, a - VAD_MARGIN_S), min(duration, b + VAD_MARGIN_S), 0.0)
                                                  for a, b in spans], 0.0)]
        regions = []
        for a, b in windows:
            ctx.check_cancelled()
            i0 = int(a * SAMPLE_RATE) // FRAME * FRAME  # whole VAD frames, as in one pass
            i1 = min(len(x), int(np.ceil(b * SAMPLE_RATE)))
            with _vad_lock:
                probs = model.probabilities(x[i0:i1])  # resets the model's state first
            t0 = i0 / SAMPLE_RATE
            regions += [(t0 + ra, t0 + rb, c) for ra, rb, c in detect_speech(probs, duration=(i1 - i0) / SAMPLE_RATE)]
    except JobCancelled:
        raise
    except (WorkbenchError, ImportError, OSError) as exc:
        ctx.logger.warning("VAD not used for speech regions: %s", exc)
        return None
    return regions


def _partial_setup(s: Setup) -> Setup:
    """The set-up for partial results: head lanes decoded from their YAMNet score with plain decisions."""
    if not s.head_lanes:
        return s
    plain = EventParams(on=0.5, off=0.3, median_frames=3, min_duration=0.25, min_gap=0.25)
    return replace(s, head_lanes=(), decisions=tuple(plain if n in s.head_lanes else d
                                                      for n, d in zip(s.names, s.decisions)))


def scores_in_blocks(x16: np.ndarray, s: Setup, ctx: JobContext, span=(0.02, 0.85), emit=None):
    """(model, (windows, 521) scores) exactly as one frame_scores pass, computed ``EMIT_WINDOWS`` windows at a
    time; ``emit(scores so far, seconds covered)`` is called after each block but the last."""
    from workbench.core.compute import onnx_device

    model = load_model(ctx)
    ctx.ran_on(onnx_device(model.session, ctx.device))
    step = s.hop_frames * HOP  # samples between windows
    count = patch_count(len(x16), s.hop_frames)
    lo, hi = span
    parts = []
    for w0 in range(0, count, EMIT_WINDOWS):
        w1 = min(count, w0 + EMIT_WINDOWS)
        a = w0 * step
        b = len(x16) if w1 == count else a + (w1 - w0 - 1) * step + PATCH * HOP  # whole windows, as in one pass
        _, sc = frame_scores(model, x16[a:b], RATE, hop_frames=s.hop_frames,
                             progress=lambda f, w0=w0, n=w1 - w0: ctx.progress(lo + (hi - lo) * (w0 + f * n) / count,
                                                                               "YAMNet"))
        parts.append(sc)
        if emit is not None and w1 < count:
            emit(np.concatenate(parts), w1 * step / RATE)
    scores = np.concatenate(parts) if parts else np.zeros((0, len(model.labels)), np.float32)
    return model, scores


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Events of the chosen preset, named or top-k classes; see the manifest for the parameters."""
    s, scores, regions, head = analyse(audio, params, ctx)
    layer = events_layer(s, scores, audio.duration, regions, head)
    layer.metadata["model"] = MODEL_ID + (" + " + HEAD_ID if s.head_lanes else "")
    layer.metadata["jams_namespace"] = "tag_audioset"  # JAMS falls back to tag_open for labels outside AudioSet
    ctx.progress(1.0, "done")
    return [layer]


def analyse(audio: AudioBuffer, params: dict, ctx: JobContext):
    """(set-up, YAMNet window scores, VAD speech regions or None, head activity or None): what the events are
    decoded from (:func:`.decoding.events_layer`; the evaluation also reads :func:`.decoding.lane_curves`)."""
    ctx.progress(0.0, "loading YAMNet")
    s: Setup = setup(params, ctx)  # checks the parameters before any work
    if not np.all(np.isfinite(audio.mono_samples)):
        raise WorkbenchError("The audio contains NaN or infinite samples; sound events need finite audio.")
    from workbench.core.resample import resample_array

    x16 = resample_array(np.asarray(audio.mono_samples, np.float32), audio.sample_rate, RATE)

    def emit(scores: np.ndarray, covered: float) -> None:  # the events so far, while YAMNet goes on
        shown = pick_classes(s, scores, model_labels()) if s.groups is None else s
        layer = events_layer(_partial_setup(shown), scores, covered)
        layer.metadata.update(partial=True, covered_s=covered, model=MODEL_ID)
        ctx.emit([layer])

    model, scores = scores_in_blocks(x16, s, ctx, (0.02, 0.85), emit)
    if s.groups is None:  # top classes: chosen from this file's scores
        s = pick_classes(s, scores, model.labels)
    regions = None
    if params.get("use_vad", True) and SPEECH in s.names:
        ctx.progress(0.87, "voice activity")
        # the VAD is sharper in time (32 ms frames); YAMNet confirms that a region is speech
        regions = vad_regions(audio, ctx, speech_spans(s, scores, audio.duration))
    head = None
    if s.head_lanes:  # finer onsets for sirens, horns and speech (street preset)
        ctx.progress(0.9, "event head")
        from .head import context_groups, load_head

        head = load_head(ctx).activity(x16, context_groups(scores, model.labels), s.hop_s)
    return s, scores, regions, head
