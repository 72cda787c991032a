"""Speech boundaries: YAMNet's spans refined by the VAD's regions (joined across short pauses), and timed by
the head's speech activity where the VAD hears nothing (plugins/sed/decoding.refined_speech)."""

from __future__ import annotations

import numpy as np
import pytest

from workbench_plugins.sed.decoding import refined_speech
from workbench_plugins.sed.events import EventParams
from workbench_plugins.sed.head import CLASSES, FRAME_S

SPANS = [(1.0, 4.0, 0.9), (6.0, 8.0, 0.8)]  # YAMNet's speech events (0.96 s windows: smeared)
REGIONS = [(1.2, 2.0, 0.9), (2.2, 3.5, 0.9)]  # the VAD's regions: a sentence with a 0.2 s pause; none at 6-8 s


def head_speech(start: float, end: float, duration: float = 10.0) -> np.ndarray:
    act = np.zeros((int(duration / FRAME_S), len(CLASSES)), np.float32)
    act[int(round(start / FRAME_S)):int(round(end / FRAME_S)), CLASSES.index("Speech")] = 0.9
    return act


def test_vad_regions_replace_the_span_and_join_across_short_pauses():
    apart = refined_speech(SPANS[:1], REGIONS, EventParams(), 10.0)
    assert [(a, b) for a, b, _ in apart] == [(1.2, 2.0), (2.2, 3.5)]
    joined = refined_speech(SPANS[:1], REGIONS, EventParams(region_gap=0.3), 10.0)
    assert [(a, b) for a, b, _ in joined] == [(1.2, 3.5)]


def test_shifts_correct_the_vad_boundaries():
    p = EventParams(onset_shift=-0.05, offset_shift=-0.1)
    out = refined_speech(SPANS[:1], REGIONS, p, 10.0)
    assert [(a, b) for a, b, _ in out] == [pytest.approx((1.15, 1.9)), pytest.approx((2.15, 3.4))]


def test_spans_the_vad_misses_are_timed_by_the_head():
    head = head_speech(6.52, 7.48)
    kept = refined_speech(SPANS, REGIONS, EventParams(offset_shift=-0.1), 10.0, head)
    assert (6.0, pytest.approx(7.9)) == tuple(kept[-1][:2])  # no fallback: YAMNet's span, shifted
    timed = refined_speech(SPANS, REGIONS, EventParams(offset_shift=-0.1, fallback_on=0.5), 10.0, head)
    assert [(round(a, 2), round(b, 2)) for a, b, _ in timed] == [(1.2, 1.9), (2.2, 3.4), (6.52, 7.48)]
    # without the head (e.g. the speech-activity preset) the span is kept
    assert refined_speech(SPANS, REGIONS, EventParams(fallback_on=0.5), 10.0, None)[-1][:2] == (6.0, 8.0)
