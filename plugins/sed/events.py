"""Frame scores -> sound events: median filtering, hysteresis thresholds, gap merging, minimum duration.

Pure numpy/scipy, independent of the model: ``scores`` is (frames, classes) in 0..1 and frame ``i`` stands for
the time span ``[starts[i], ends[i])`` in seconds (for YAMNet: the centre half of window i).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter


@dataclass(frozen=True)
class EventParams:
    on: float = 0.5  # a score at or above this starts an event
    off: float = 0.3  # the event goes on while the score stays at or above this
    median_frames: int = 3  # odd median-filter length along time (1 = none)
    min_duration: float = 0.5  # s; shorter events are dropped
    min_gap: float = 0.5  # s; events of one class closer than this are joined
    onset_shift: float = 0.0  # s added to each onset (a window's score rises before/after the sound starts)
    offset_shift: float = 0.0  # s added to each offset
    # lanes decoded from the trained head (decoding.head_curve): YAMNet says *what*, the head says *when*
    mix: float = 0.0  # share of the YAMNet lane score in the head lane's curve
    gate: float = 0.0  # a head event needs a YAMNet lane score of at least this within GATE_S of it
    # lanes refined by finer regions (Speech: the VAD's), decoding.refined_speech
    region_gap: float = 0.0  # s; refined regions closer than this are one event (the VAD splits at short pauses)
    fallback_on: float = 0.0  # head activity threshold that times the spans the VAD does not confirm (0: off)
    # an event starts where its curve first reaches this (between off and on; 0: where it rises over off). A
    # head that sees +-0.6 s rises before the sound does: starting at the off threshold puts onsets early.
    rise: float = 0.0


def smooth(scores: np.ndarray, frames: int) -> np.ndarray:
    """Median filter of each class's score curve over ``frames`` frames (edges repeat the end values)."""
    if frames <= 1 or len(scores) < 2:
        return scores
    frames = frames if frames % 2 else frames + 1
    return median_filter(scores, size=(frames, 1), mode="nearest")


def hysteresis(curve: np.ndarray, on: float, off: float) -> list[tuple[int, int]]:
    """[first, last] frame index pairs (inclusive) where ``curve`` rises to ``on`` and stays above ``off``:
    the runs of frames at or above ``off`` that reach ``on`` somewhere (an event extends back over its rising
    edge and on until the curve falls under ``off``)."""
    if off > on:
        raise ValueError(f"off threshold {off} must not exceed on threshold {on}")
    curve = np.asarray(curve)
    above = np.concatenate([[False], curve >= off, [False]])
    edges = np.flatnonzero(above[1:] != above[:-1])
    starts, stops = edges[0::2], edges[1::2]  # run i covers frames starts[i] .. stops[i] - 1
    if not len(starts):
        return []
    hot = np.concatenate([[0], np.cumsum(curve >= on)])
    keep = hot[stops] > hot[starts]
    return [(int(a), int(b) - 1) for a, b in zip(starts[keep], stops[keep])]


def rise_at(curve: np.ndarray, runs: list[tuple[int, int]], level: float) -> list[tuple[int, int]]:
    """Each [first, last] run started at its first frame at or above ``level`` (a run that never reaches it
    keeps its start)."""
    out = []
    for a, b in runs:
        hot = np.flatnonzero(curve[a:b + 1] >= level)
        out.append((a + int(hot[0]) if len(hot) else a, b))
    return out


def join_intervals(spans: list[tuple[float, float, float]], min_gap: float) -> list[tuple[float, float, float]]:
    """Sorted (start, end, confidence) spans with gaps up to ``min_gap`` s joined (confidence = max)."""
    out: list[list[float]] = []
    for a, b, c in sorted(spans):
        if out and a - out[-1][1] <= min_gap:
            out[-1][1] = max(out[-1][1], b)
            out[-1][2] = max(out[-1][2], c)
        else:
            out.append([a, b, c])
    return [tuple(x) for x in out]


def detect(scores: np.ndarray, starts: np.ndarray, ends: np.ndarray, classes: list[int],
           p: "EventParams | dict[int, EventParams]") -> dict[int, list[tuple[float, float, float]]]:
    """Events per class index: (start s, end s, peak smoothed score); ``p`` is one setting for all classes or
    one per class index."""
    scores = np.asarray(scores, np.float32)
    duration = float(ends[-1]) if len(ends) else 0.0
    out: dict[int, list[tuple[float, float, float]]] = {}
    for c in classes:
        q = p[c] if isinstance(p, dict) else p
        sm = smooth(scores[:, c:c + 1], q.median_frames)[:, 0]
        spans = [(max(0.0, float(starts[a]) + q.onset_shift), min(duration, float(ends[b]) + q.offset_shift),
                  float(sm[a:b + 1].max())) for a, b in rise_at(sm, hysteresis(sm, q.on, q.off), q.rise)]
        spans = [s for s in join_intervals(spans, q.min_gap) if s[1] - s[0] >= q.min_duration]
        out[c] = spans
    return out


def confirmed_by(event: tuple[float, float, float], regions: list[tuple[float, float, float]],
                 slack: float = 0.5) -> list[tuple[float, float, float]]:
    """The ``regions`` that overlap ``event`` (within ``slack`` s)."""
    a, b = event[0], event[1]
    return [(ra, rb, rc) for ra, rb, rc in regions if ra < b + slack and rb > a - slack]


def refine_with_regions(events: list[tuple[float, float, float]], regions: list[tuple[float, float, float]],
                        slack: float = 0.5) -> list[tuple[float, float, float]]:
    """Replace coarse events by the finer ``regions`` (e.g. VAD speech) that overlap them (within ``slack`` s).

    Regions that touch no event are dropped (the coarse model did not confirm them); events that contain no
    region are kept as they are (the fine detector may miss them, e.g. speech in loud noise).
    """
    out = []
    for a, b, c in events:
        inside = confirmed_by((a, b, c), regions, slack)
        out += [(ra, rb, max(rc, c)) for ra, rb, rc in inside] if inside else [(a, b, c)]
    return join_intervals(out, 0.0)
