"""From YAMNet window scores to sound events: class set-up (preset, named or top-k), per-class decisions
(calibrated for the presets), frame spans on the fine window grid, and the Events layer.

Shared by the file plugin (:mod:`.plugin`) and the live processor (:mod:`.streaming`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.ndimage import maximum_filter1d

from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Events
from workbench_plugins.audioset.yamnet import HOP, PATCH_S, RATE, class_names

from .events import EventParams, confirmed_by, detect, join_intervals, refine_with_regions
from .head import CLASSES as HEAD_CLASSES
from .head import FRAME_S
from .presets import PRESETS, class_groups

SPEECH = "Speech"
GATE_S = 1.0  # s either side of a head frame in which YAMNet must agree (EventParams.gate)
DECISIONS_ID = "sed-decisions"
DECISIONS_FILE = "sed_decisions.json"


@dataclass(frozen=True)
class Setup:
    """What to detect and how: one entry per event class (lane)."""

    preset: str
    names: tuple[str, ...]  # lane labels
    groups: tuple[tuple[int, ...], ...] | None  # AudioSet indices per lane; None until top-k picks them
    decisions: tuple[EventParams, ...]
    hop_frames: int  # 10 ms frames between windows
    top_k: int = 8
    calibrated: tuple[str, ...] = ()  # lanes whose decisions were fitted
    head_lanes: tuple[str, ...] = ()  # lanes decoded from the trained head's 40 ms activity (head.py)

    @property
    def hop_s(self) -> float:
        return self.hop_frames * HOP / RATE


def _median_frames(seconds: float, hop_s: float) -> int:
    n = max(1, int(round(seconds / hop_s)))
    return n if n % 2 else n + 1


@lru_cache(maxsize=1)
def _labels() -> tuple[str, ...]:
    return tuple(class_names())


@lru_cache(maxsize=4)
def _decisions_from(path: str) -> dict:
    return json.loads(Path(path).read_text())


def fitted_decisions(ctx) -> dict:
    """The decisions fitted on generated soundscapes (resources/models/sed_decisions.json), checksum-checked."""
    from workbench.core.models import default_store

    store = ctx.models if getattr(ctx, "models", None) is not None else default_store()
    return _decisions_from(str(store.path(DECISIONS_ID)))


def user_decisions(params: dict, hop_s: float) -> EventParams:
    p = EventParams(on=float(params.get("on_threshold", 0.5)), off=float(params.get("off_threshold", 0.3)),
                    median_frames=_median_frames(float(params.get("median_s", 0.36)), hop_s),
                    min_duration=float(params.get("min_duration", 0.25)), min_gap=float(params.get("min_gap", 0.25)))
    if p.off > p.on:
        raise InvalidParameterError(f"off_threshold ({p.off}) must not be above on_threshold ({p.on})")
    return p


def decision_from_record(rec: dict, hop_s: float) -> EventParams:
    return EventParams(on=rec["on"], off=rec["off"], median_frames=_median_frames(rec["median_s"], hop_s),
                       min_duration=rec["min_duration"], min_gap=rec["min_gap"],
                       onset_shift=rec.get("onset_shift", 0.0), offset_shift=rec.get("offset_shift", 0.0),
                       mix=rec.get("mix", 0.0), gate=rec.get("gate", 0.0), region_gap=rec.get("region_gap", 0.0),
                       fallback_on=rec.get("fallback_on", 0.0), rise=rec.get("rise", 0.0))


def setup(params: dict, ctx, labels: list[str] | None = None) -> Setup:
    """Checks the parameters and says which lanes to make from which AudioSet classes, with which decisions."""
    labels = list(labels or _labels())
    hop_s = float(params.get("hop_s", 0.12))
    if not 0.01 <= hop_s <= 0.96:
        raise InvalidParameterError(f"hop_s must be between 0.01 and 0.96 s, not {hop_s}")
    hop_frames = max(1, int(round(hop_s * RATE / HOP)))
    hop_s = hop_frames * HOP / RATE
    base = user_decisions(params, hop_s)
    preset = str(params.get("preset", "top classes"))
    named = str(params.get("classes", "")).strip()
    top_k = int(params.get("top_k", 8))
    if named or preset == "named classes":
        if not named:
            raise InvalidParameterError("preset 'named classes' needs AudioSet class names in 'classes'")
        idx = _named(named, labels)
        return Setup("named classes", tuple(labels[i] for i in idx), tuple((i,) for i in idx),
                     (base,) * len(idx), hop_frames, top_k)
    if preset == "top classes":
        return Setup(preset, (), None, (), hop_frames, top_k)
    groups = class_groups(preset, labels)
    names = tuple(groups)
    decisions, fitted, head = [base] * len(names), [], []
    if params.get("calibrated", True):
        table = fitted_decisions(ctx)
        for i, name in enumerate(names):
            rec = table["classes"].get(name)
            if rec is not None and (rec.get("source") != "head" or table.get("preset") == preset):
                is_head = rec.get("source") == "head"
                decisions[i] = decision_from_record(rec, FRAME_S if is_head else hop_s)
                fitted.append(name)
                head += [name] if is_head else []
    return Setup(preset, names, tuple(tuple(g) for g in groups.values()), tuple(decisions), hop_frames, top_k,
                 tuple(fitted), tuple(head))


def _named(wanted: str, labels: list[str]) -> list[int]:
    """Class indices of the names in ``wanted`` separated by ';' (AudioSet names contain commas)."""
    lower = {name.lower(): i for i, name in enumerate(labels)}
    names = [w.strip().lower() for w in wanted.split(";") if w.strip()]
    missing = [n for n in names if n not in lower]
    if missing:
        raise InvalidParameterError(
            f"Unknown AudioSet class(es): {', '.join(missing)}. Examples: Speech, Music, Siren, Dog, "
            "Vehicle horn, car horn, honking")
    return list(dict.fromkeys(lower[n] for n in names))


def pick_classes(s: Setup, scores: np.ndarray, labels: list[str]) -> Setup:
    """The ``top_k`` AudioSet classes with the highest smoothed peak among those reaching the on threshold."""
    from .events import smooth

    base = s.decisions[0] if s.decisions else EventParams()
    peak = smooth(scores, base.median_frames).max(axis=0) if len(scores) else np.zeros(len(labels))
    order = [int(i) for i in np.argsort(-peak) if peak[i] >= base.on][: s.top_k]
    return replace(s, names=tuple(labels[i] for i in order), groups=tuple((i,) for i in order),
                   decisions=(base,) * len(order))


def lane_scores(s: Setup, scores: np.ndarray) -> np.ndarray:
    """(windows, lanes): each lane's score is the highest of its AudioSet classes' scores."""
    if not s.groups:
        return np.zeros((len(scores), 0), np.float32)
    return np.stack([scores[:, list(g)].max(axis=1) for g in s.groups], axis=1)


def frame_spans(count: int, duration: float, hop_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Time span each window stands for: ``hop_s`` around its centre; the first starts at 0, the last ends the
    file (window i covers [i hop, i hop + 0.96] s)."""
    starts = np.arange(count) * hop_s + (PATCH_S - hop_s) / 2
    ends = starts + hop_s
    if count:
        starts[0] = 0.0
        ends[-1] = max(ends[-1], duration)
    return np.minimum(starts, duration), np.minimum(ends, duration)


def head_curve(act: np.ndarray, lane: np.ndarray, hop_s: float, p: EventParams) -> np.ndarray:
    """A head lane's curve on the 40 ms grid: the head's activity ``act`` mixed with the YAMNet lane score
    ``lane`` (window k centred at k hop + 0.48 s, interpolated) by ``p.mix``, and zero where YAMNet's score
    stays under ``p.gate`` for GATE_S s around (the head alone may mistake other tones for the class)."""
    if not (p.mix or p.gate) or not len(lane):
        return act
    t = (np.arange(len(act)) + 0.5) * FRAME_S
    centres = np.arange(len(lane)) * hop_s + PATCH_S / 2
    curve = (1 - p.mix) * act + p.mix * np.interp(t, centres, lane) if p.mix else act
    if p.gate:
        near = maximum_filter1d(lane, size=2 * int(round(GATE_S / hop_s)) + 1, mode="nearest")
        curve = np.where(np.interp(t, centres, near) >= p.gate, curve, 0.0)
    return curve.astype(np.float32)


def _shifted(spans: list[tuple[float, float, float]], p: EventParams, duration: float) -> list:
    return [(max(0.0, a + p.onset_shift), min(duration, b + p.offset_shift), c) for a, b, c in spans
            if min(duration, b + p.offset_shift) > max(0.0, a + p.onset_shift)]


def head_regions(head: np.ndarray, name: str, threshold: float, duration: float) -> list:
    """Spans where the head's activity for ``name`` is at or above ``threshold`` (40 ms frames)."""
    starts = np.arange(len(head)) * FRAME_S
    ends = np.minimum(starts + FRAME_S, duration)
    p = EventParams(on=threshold, off=threshold, median_frames=1, min_duration=0.0, min_gap=0.0)
    return detect(head[:, [HEAD_CLASSES.index(name)]], starts, ends, [0], p)[0]


def refined_speech(spans: list, regions: list, p: EventParams, duration: float, head: np.ndarray | None = None
                   ) -> list[tuple[float, float, float]]:
    """YAMNet's speech spans with the VAD's sharper boundaries: each span the VAD confirms becomes its
    regions (joined across pauses under ``p.region_gap``; then the onset/offset shifts, which correct the
    VAD's hangover). A span the VAD does not confirm (a shouted call in traffic, say) is timed by the head's
    speech activity at ``p.fallback_on`` when that is set and the head ran, else kept with the shifts."""
    confirmed = [sp for sp in spans if confirmed_by(sp, regions)]
    alone = [sp for sp in spans if not confirmed_by(sp, regions)]
    out = join_intervals(refine_with_regions(confirmed, regions), p.region_gap)
    if alone and p.fallback_on and head is not None and len(head):
        timed = refine_with_regions(alone, head_regions(head, SPEECH, p.fallback_on, duration))
        return join_intervals(_shifted(out, p, duration) + timed, 0.0)
    return _shifted(join_intervals(out + alone, 0.0), p, duration)


def decode(s: Setup, lanes: np.ndarray, duration: float, regions: list[tuple[float, float, float]] | None = None,
           head: np.ndarray | None = None) -> dict[str, list[tuple[float, float, float]]]:
    """{lane: [(start, end, confidence)]} from lane scores on the window grid, or for ``s.head_lanes`` from the
    head's (T, 3) activity on its 40 ms grid."""
    starts, ends = frame_spans(len(lanes), duration, s.hop_s)
    out = {}
    for i, name in enumerate(s.names):
        if name in s.head_lanes and head is not None and len(head):
            h_starts = np.arange(len(head)) * FRAME_S
            h_ends = np.minimum(h_starts + FRAME_S, duration)
            h_ends[-1] = max(h_ends[-1], duration)
            curve = head_curve(head[:, HEAD_CLASSES.index(name)], lanes[:, i] if len(lanes) else lanes,
                               s.hop_s, s.decisions[i])
            out[name] = detect(curve[:, None], h_starts, h_ends, [0], s.decisions[i])[0]
        elif name == SPEECH and regions is not None and len(lanes):
            # the shifts correct the VAD's boundaries (its hangover), so they apply after the refinement
            p = s.decisions[i]
            spans = detect(lanes[:, [i]], starts, ends, [0], replace(p, onset_shift=0.0, offset_shift=0.0))[0]
            out[name] = refined_speech(spans, regions, p, duration, head) if spans else []
        elif len(lanes):
            out[name] = detect(lanes[:, [i]], starts, ends, [0], s.decisions[i])[0]
        else:
            out[name] = []
    return out


def speech_spans(s: Setup, scores: np.ndarray, duration: float) -> list[tuple[float, float]]:
    """YAMNet's speech events (before the VAD refines them): where the VAD needs to listen."""
    if SPEECH not in s.names:
        return []
    i = s.names.index(SPEECH)
    lanes = lane_scores(s, scores)[:, [i]]
    if not len(lanes):
        return []
    starts, ends = frame_spans(len(lanes), duration, s.hop_s)
    p = replace(s.decisions[i], onset_shift=0.0, offset_shift=0.0)
    return [(a, b) for a, b, _ in detect(lanes, starts, ends, [0], p)[0]]


def lane_curves(s: Setup, scores: np.ndarray, duration: float, head: np.ndarray | None = None
                ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """(frame edges in s, {lane: score curve}) on the head's 40 ms grid: what the decisions threshold, before
    the median filter (head lanes: the fused curve; other lanes: their YAMNet score, window k held over the
    hop around its centre). For threshold-free scores such as the PSDS."""
    lanes = lane_scores(s, scores)
    frames = max(1, int(np.ceil(duration / FRAME_S)))
    edges = np.minimum(np.arange(frames + 1) * FRAME_S, duration)
    edges[-1] = duration
    t = (np.arange(frames) + 0.5) * FRAME_S
    idx = np.clip(np.round((t - PATCH_S / 2) / s.hop_s).astype(int), 0, max(0, len(lanes) - 1))
    out = {}
    for i, name in enumerate(s.names):
        if not len(lanes):
            out[name] = np.zeros(frames, np.float32)
        elif name in s.head_lanes and head is not None and len(head):
            c = head_curve(head[:, HEAD_CLASSES.index(name)], lanes[:, i], s.hop_s, s.decisions[i])
            out[name] = np.pad(c, (0, max(0, frames - len(c))), mode="edge")[:frames]
        else:
            out[name] = lanes[idx, i]
    return edges, out


def events_layer(s: Setup, scores: np.ndarray, duration: float, regions: list[tuple[float, float, float]] | None = None,
                 head: np.ndarray | None = None) -> Events:
    """The Events layer (one lane per class, label = class) and what made it in its metadata."""
    by_label = decode(s, lane_scores(s, scores), duration, regions, head)
    rows = sorted((a, b, label, c) for label, spans in by_label.items() for a, b, c in spans)
    meta = {"preset": s.preset, "classes": list(s.names), "frame_hop_s": s.hop_s, "window_s": PATCH_S,
            "calibrated_classes": list(s.calibrated), "head_classes": list(s.head_lanes),
            "speech_source": "yamnet+vad" if regions is not None and SPEECH in s.names else "yamnet",
            "decisions": {n: vars(d) for n, d in zip(s.names, s.decisions)}}
    if s.groups is not None and s.preset in PRESETS:
        meta["audioset_classes"] = {n: [_labels()[i] for i in g] for n, g in zip(s.names, s.groups)}
    return Events(name="sound events", starts=[r[0] for r in rows], ends=[r[1] for r in rows],
                  labels=[r[2] for r in rows], confidences=[r[3] for r in rows], metadata=meta)


__all__ = ["Setup", "setup", "pick_classes", "lane_scores", "frame_spans", "decode", "events_layer", "lane_curves",
           "head_curve", "head_regions", "refined_speech",
           "fitted_decisions", "join_intervals", "SPEECH"]
