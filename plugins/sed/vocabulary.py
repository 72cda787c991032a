"""The evaluation vocabulary (the corpus's classes) and the rules that map detector labels onto it.

The corpus labels four sibling classes: ``siren``, ``car_horn``, ``human_voice`` (shouted calls) and ``speech``.
A detector label (an AudioSet class name, or a preset lane such as "Speech" or "Shout") maps to them by one of
three rules:

- ``flat`` (the headline): each detector label counts as exactly ONE vocabulary class, and references are
  taken as labelled. Symmetric: the reference events fed back as detections score F1 1.0.
- ``ontology``: AudioSet's hierarchy (Speech is under Human voice) applied to references AND detections alike:
  a speech event also counts as a human_voice event on both sides (overlaps within a class joined).
- ``asymmetric``: the rule used before, kept for continuity: a speech detection also counts as human_voice,
  but references are not expanded. A perfect detector is charged a false human_voice event for every speech
  event, so it cannot reach F1 1.0.
"""

from __future__ import annotations

from .events import join_intervals

Event = tuple[float, float, str]

VOCABULARY = ("siren", "car_horn", "human_voice", "speech")
SIRENS = ("Siren", "Civil defense siren", "Police car (siren)", "Ambulance (siren)",
          "Fire engine, fire truck (siren)", "Emergency vehicle")
HORNS = ("Vehicle horn, car horn, honking", "Air horn, truck horn", "Toot", "Car horn")
VOICES = ("Shout", "Yell", "Children shouting", "Screaming")
SPEECH = ("Speech", "Conversation", "Narration, monologue")
FLAT = {**{n: "siren" for n in SIRENS}, **{n: "car_horn" for n in HORNS}, **{n: "human_voice" for n in VOICES},
        **{n: "speech" for n in SPEECH}}
PARENT = {"speech": "human_voice"}  # AudioSet ontology: Speech is a child of Human voice
RULES = ("flat", "ontology", "asymmetric")


def _joined(events: list[Event]) -> list[Event]:
    """Events per vocabulary class, in vocabulary order, with overlapping ones joined (two lanes of one class
    firing together are one event); events that only touch stay apart (the corpus has back-to-back ones)."""
    out = []
    for c in VOCABULARY:
        spans = [(a, b, 1.0) for a, b, lab in events if lab == c]
        out += [(a, b, c) for a, b, _ in join_intervals(spans, -1e-9)]
    return out


def _with_parents(events: list[Event]) -> list[Event]:
    return list(events) + [(a, b, PARENT[c]) for a, b, c in events if c in PARENT]


def detections(rows, rule: str = "flat") -> list[Event]:
    """Detector events ``(start, end, detector label)`` as vocabulary events under ``rule``; labels outside
    the mapping (engine, dog...) are dropped."""
    if rule not in RULES:
        raise ValueError(f"unknown scoring rule '{rule}'; choose one of: {', '.join(RULES)}")
    mapped = [(float(a), float(b), FLAT[str(lab)]) for a, b, lab in rows if str(lab) in FLAT]
    return _joined(mapped if rule == "flat" else _with_parents(mapped))


def references(ref: list[Event], rule: str = "flat") -> list[Event]:
    """Reference events (vocabulary labels) as scored under ``rule``: expanded only by the ontology rule."""
    if rule not in RULES:
        raise ValueError(f"unknown scoring rule '{rule}'; choose one of: {', '.join(RULES)}")
    return _joined(_with_parents(ref)) if rule == "ontology" else list(ref)


__all__ = ["VOCABULARY", "SIRENS", "HORNS", "VOICES", "SPEECH", "FLAT", "RULES", "detections", "references"]
