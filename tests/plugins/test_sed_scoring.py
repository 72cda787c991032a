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


# a detector label for each vocabulary class (preset lane names, as the street preset reports them)
DETECTOR_LABEL = {"siren": "Siren", "car_horn": "Car horn", "human_voice": "Shout", "speech": "Speech"}
# shaped like the corpus: a street scene with a shouted call, and speech-only clips (two events back to back)
FILES = [([(2.0, 7.0, "siren"), (5.0, 5.69, "car_horn"), (7.0, 7.97, "human_voice")], 10.0),
         ([(0.52, 0.85, "speech"), (1.32, 1.83, "speech"), (2.35, 3.7, "speech")], 4.0),
         ([(0.38, 2.0, "speech"), (2.0, 2.7, "speech"), (4.1, 5.88, "speech")], 6.0)]


def perfect_detector_scores(rule: str) -> SedScores:
    """The references fed back as detections, mapped and scored under ``rule``."""
    from workbench_plugins.sed.vocabulary import VOCABULARY, detections, references

    s = SedScores(VOCABULARY)
    for ref, duration in FILES:
        rows = [(a, b, DETECTOR_LABEL[c]) for a, b, c in ref]
        s.add_file(references(ref, rule), detections(rows, rule), duration)
    return s


@pytest.mark.parametrize("rule", ["flat", "ontology"])
def test_a_perfect_detector_scores_one_under_the_symmetric_rules(rule):
    s = perfect_detector_scores(rule)
    assert s.event_f1 == pytest.approx(1.0) and s.segment_f1 == pytest.approx(1.0)


def test_the_old_asymmetric_rule_charges_a_perfect_detector_for_its_speech():
    s = perfect_detector_scores("asymmetric")
    # 6 speech events, each also counted as a false human_voice event: tp 9 of 9 references, 15 detections
    assert (s.event["human_voice"].tp, s.event["human_voice"].n_est) == (1, 7)
    assert s.event_f1 == pytest.approx(2 * 9 / (9 + 15))


def test_each_detector_label_maps_to_one_class_under_the_headline_rule():
    from workbench_plugins.sed.vocabulary import FLAT, detections

    for label in FLAT:
        assert len(detections([(0.0, 1.0, label)], "flat")) == 1
    assert detections([(0.0, 1.0, "Speech")], "flat") == [(0.0, 1.0, "speech")]
    assert detections([(0.0, 1.0, "Yell")], "flat") == [(0.0, 1.0, "human_voice")]
    assert detections([(0.0, 1.0, "Engine")], "flat") == []  # outside the vocabulary: not scored
    # two lanes of one class firing together are one event; back-to-back events stay two
    assert detections([(0.0, 1.0, "Speech"), (0.5, 2.0, "Conversation")], "flat") == [(0.0, 2.0, "speech")]
    assert len(detections([(0.0, 1.0, "Speech"), (1.0, 2.0, "Speech")], "flat")) == 2
    with pytest.raises(ValueError, match="unknown scoring rule"):
        detections([], "strict")
