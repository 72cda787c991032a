"""From speech regions to speaker turns: windows to embed, and window labels back to turns (times in seconds)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WINDOW_S = 1.5  # length of the audio each embedding sees
STEP_S = 0.5  # hop between windows inside a region (also the resolution of speaker changes)
MIN_WINDOW_S = 0.4  # shorter regions are too short for an embedding; they join the nearest turn


@dataclass
class Window:
    """One embedding window [start, end) s; it speaks for [own_start, own_end) s of the region."""

    start: float
    end: float
    own_start: float
    own_end: float


def region_windows(regions: list[tuple[float, float]], window: float = WINDOW_S, step: float = STEP_S,
                   min_window: float = MIN_WINDOW_S) -> list[Window]:
    """Windows covering each speech region; a region shorter than ``window`` is one window of its own length."""
    out: list[Window] = []
    for a, b in regions:
        length = b - a
        if length < min_window:
            continue
        if length <= window:
            out.append(Window(a, b, a, b))
            continue
        count = 1 + int(np.ceil((length - window) / step))
        starts = [min(a + i * step, b - window) for i in range(count)]
        centres = [s + window / 2 for s in starts]
        for i, s in enumerate(starts):
            own_a = a if i == 0 else (centres[i - 1] + centres[i]) / 2
            own_b = b if i == count - 1 else (centres[i] + centres[i + 1]) / 2
            out.append(Window(s, s + window, own_a, own_b))
    return out


def windows_to_turns(windows: list[Window], labels: np.ndarray, regions: list[tuple[float, float]],
                     merge_gap: float = 0.5) -> list[tuple[float, float, int]]:
    """(start s, end s, speaker) turns: consecutive windows of one speaker joined, same-speaker turns closer than
    ``merge_gap`` s merged; regions too short for a window take the speaker of the nearest window."""
    spans = sorted((w.own_start, w.own_end, int(k)) for w, k in zip(windows, labels))
    if not spans:
        return []
    centres = np.array([(a + b) / 2 for a, b, _ in spans])
    for a, b in regions:  # short regions left out of the windows
        if b - a < MIN_WINDOW_S:
            spans.append((a, b, spans[int(np.argmin(np.abs(centres - (a + b) / 2)))][2]))
    spans.sort()
    turns: list[list] = []
    for a, b, k in spans:
        if turns and turns[-1][2] == k and a - turns[-1][1] <= merge_gap:
            turns[-1][1] = max(turns[-1][1], b)
        else:
            turns.append([a, b, k])
    return [(float(a), float(b), int(k)) for a, b, k in turns]
