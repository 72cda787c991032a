"""Speakers for transcript entries: each Segment / Word gets the speaker whose turns overlap it most.

The result is stored as ``layer.metadata["speakers"]``: one name per entry ('' where no turn overlaps), which
the subtitle writers show as ``[Speaker 1]`` and the GUI can colour by.
"""

from __future__ import annotations

import numpy as np

from workbench.core.layers import Events, Segments


def speakers_for_spans(starts, ends, turn_starts, turn_ends, turn_labels, max_distance: float = 1.0) -> list[str]:
    """Name per span [start, end) s: the label with the most overlap; with no overlap, the nearest turn within
    ``max_distance`` s; else ''."""
    ts, te = np.asarray(turn_starts, float), np.asarray(turn_ends, float)
    out = []
    for a, b in zip(np.asarray(starts, float), np.asarray(ends, float)):
        if not len(ts):
            out.append("")
            continue
        overlap = np.clip(np.minimum(te, b) - np.maximum(ts, a), 0.0, None)
        totals: dict[str, float] = {}
        for k, o in zip(turn_labels, overlap):
            if o > 0:
                totals[k] = totals.get(k, 0.0) + float(o)
        if totals:
            out.append(max(totals, key=totals.get))
            continue
        gap = np.maximum(ts - b, a - te)
        i = int(np.argmin(gap))
        out.append(turn_labels[i] if gap[i] <= max_distance else "")
    return out


def assign_speakers(layer: Segments, turns: Events) -> Segments:
    """Store the speaker of each entry of ``layer`` (Segments or Words) in its metadata; returns the layer."""
    layer.metadata["speakers"] = speakers_for_spans(layer.starts, layer.ends, turns.starts, turns.ends,
                                                    list(turns.labels))
    layer.metadata["speakers_from"] = turns.id
    return layer
