"""The SED metrics (plugins/sed/scoring.py) on cases computed by hand with DCASE's definitions."""

from __future__ import annotations

import pytest

from workbench_plugins.sed.scoring import SedScores, event_matches


def test_collars_by_hand():
    ref = [(1.0, 3.0)]  # 2 s long: offset collar max(0.2, 20 % of 2 s) = 0.4 s
    assert event_matches(ref, [(1.19, 3.39)]) == 1
    assert event_matches(ref, [(1.21, 3.0)]) == 0  # onset 0.21 s late
    assert event_matches(ref, [(1.0, 3.41)]) == 0  # offset beyond 0.4 s
    assert event_matches([(1.0, 1.5)], [(1.0, 1.69)]) == 1  # short event: the 0.2 s floor
    assert event_matches([(1.0, 1.5)], [(1.0, 1.71)]) == 0


def test_one_to_one_matching_is_optimal():
    # est 0 could match either reference; a greedy pass giving it to ref 0 would leave ref 1 unmatched
    ref = [(0.0, 1.0), (0.15, 1.1)]
    est = [(0.1, 1.05), (-0.1, 0.95)]
    assert event_matches(ref, est) == 2
    assert event_matches(ref, est[:1]) == 1


def test_scores_every_class_on_every_file_by_hand():
    s = SedScores(("siren", "car_horn", "speech"))
    # file 1: a siren found with good timing, a horn missed, a false speech event
    s.add_file([(2.0, 7.0, "siren"), (5.0, 5.7, "car_horn")], [(2.1, 6.5, "siren"), (8.0, 9.0, "speech")], 10.0)
    # file 2: speech found late (onset 0.5 s off: event miss, but the segments overlap)
    s.add_file([(0.5, 2.5, "speech")], [(1.0, 2.5, "speech")], 4.0)
    assert (s.event["siren"].tp, s.event["siren"].n_ref, s.event["siren"].n_est) == (1, 1, 1)
    assert (s.event["car_horn"].tp, s.event["car_horn"].n_ref, s.event["car_horn"].n_est) == (0, 1, 0)
    assert (s.event["speech"].tp, s.event["speech"].n_ref, s.event["speech"].n_est) == (0, 1, 2)
    assert s.event_f1 == pytest.approx(2 * 1 / (3 + 3))
    # segments (1 s): siren ref 2..7 -> 5 segs, est 2.1..6.5 -> segs 2..6 (5): tp 5; horn ref seg 5 only;
    # speech file 1: est seg 8; file 2: ref segs 0,1,2, est segs 1,2 -> tp 2
    assert (s.seg["siren"].tp, s.seg["siren"].n_ref, s.seg["siren"].n_est) == (5, 5, 5)
    assert (s.seg["car_horn"].tp, s.seg["car_horn"].n_ref, s.seg["car_horn"].n_est) == (0, 1, 0)
    assert (s.seg["speech"].tp, s.seg["speech"].n_ref, s.seg["speech"].n_est) == (2, 3, 3)
    assert s.segment_f1 == pytest.approx(2 * 7 / (9 + 8))
    table = s.table()
    assert "| car_horn | 1 | 0 | 1.00 | 0.00 | 0.000 |" in table and "overall" in table


def test_labels_outside_the_vocabulary_are_refused():
    with pytest.raises(ValueError, match="outside the vocabulary"):
        SedScores(("siren",)).add_file([(0.0, 1.0, "siren")], [(0.0, 1.0, "dog")], 2.0)
