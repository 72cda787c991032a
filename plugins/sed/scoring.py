"""Sound-event detection scores as DCASE defines them (sed_eval's event- and segment-based metrics).

Events are ``(onset s, offset s, label)``. Every class of the vocabulary is scored on every file, whether it
occurs there or not, so a detector is charged for false alarms of classes absent from a file.

- Event-based: an estimated event matches a reference event of the same class when its onset is within
  ``collar`` s (0.2) of the reference onset and its offset within ``max(collar, offset_ratio x reference
  length)`` (0.2, 20 %) of the reference offset; each event matches at most once (a maximum bipartite
  matching per class and file, sed_eval's "optimal" matching).
- Segment-based: the timeline is cut into ``segment`` s (1.0) segments; a class is active in a segment when
  any event of it overlaps the segment.

F1 is micro-averaged (counts summed over classes and files) and per class; the same code fits the decision
parameters on the synthetic soundscapes and reports on the corpus.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

Event = tuple[float, float, str]


@dataclass
class Counts:
    tp: int = 0
    n_ref: int = 0
    n_est: int = 0

    def add(self, tp: int, n_ref: int, n_est: int) -> None:
        self.tp += tp
        self.n_ref += n_ref
        self.n_est += n_est

    @property
    def f1(self) -> float:
        return 2 * self.tp / (self.n_ref + self.n_est) if self.n_ref + self.n_est else 1.0

    @property
    def precision(self) -> float:
        return self.tp / self.n_est if self.n_est else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.n_ref if self.n_ref else 1.0


def event_matches(ref: list[tuple[float, float]], est: list[tuple[float, float]], collar: float = 0.2,
                  offset_ratio: float = 0.2) -> int:
    """Matched pairs between one class's reference and estimated (onset, offset) events in one file."""
    if not ref or not est:
        return 0
    ok = np.zeros((len(ref), len(est)), np.int8)
    for i, (ro, rf) in enumerate(ref):
        off_collar = max(collar, offset_ratio * (rf - ro))
        for j, (eo, ef) in enumerate(est):
            ok[i, j] = abs(eo - ro) <= collar + 1e-9 and abs(ef - rf) <= off_collar + 1e-9
    match = maximum_bipartite_matching(csr_matrix(ok), perm_type="column")
    return int((match >= 0).sum())


def segment_activity(events: list[tuple[float, float]], n: int, segment: float) -> np.ndarray:
    act = np.zeros(n, bool)
    for o, f in events:
        act[int(np.floor(o / segment + 1e-9)):int(np.ceil(f / segment - 1e-9))] = True
    return act


@dataclass
class SedScores:
    """Accumulates event- and segment-based counts per class over files."""

    vocabulary: tuple[str, ...]
    collar: float = 0.2
    offset_ratio: float = 0.2
    segment: float = 1.0
    event: dict[str, Counts] = field(default_factory=dict)
    seg: dict[str, Counts] = field(default_factory=dict)

    def __post_init__(self):
        for c in self.vocabulary:
            self.event.setdefault(c, Counts())
            self.seg.setdefault(c, Counts())

    def add_file(self, ref: list[Event], est: list[Event], duration: float) -> None:
        unknown = {lab for _, _, lab in list(ref) + list(est)} - set(self.vocabulary)
        if unknown:
            raise ValueError(f"labels outside the vocabulary: {sorted(unknown)}")
        end = max([duration] + [f for _, f, _ in list(ref) + list(est)])
        n = int(np.ceil(end / self.segment - 1e-9))
        for c in self.vocabulary:
            r = [(o, f) for o, f, lab in ref if lab == c]
            e = [(o, f) for o, f, lab in est if lab == c]
            self.event[c].add(event_matches(r, e, self.collar, self.offset_ratio), len(r), len(e))
            ra, ea = segment_activity(r, n, self.segment), segment_activity(e, n, self.segment)
            self.seg[c].add(int((ra & ea).sum()), int(ra.sum()), int(ea.sum()))

    @staticmethod
    def _micro(counts: dict[str, Counts]) -> Counts:
        total = Counts()
        for c in counts.values():
            total.add(c.tp, c.n_ref, c.n_est)
        return total

    @property
    def event_f1(self) -> float:
        return self._micro(self.event).f1

    @property
    def segment_f1(self) -> float:
        return self._micro(self.seg).f1

    def table(self) -> str:
        """A markdown table: per class and overall (micro), event- and segment-based."""
        rows = ["| class | ref events | est events | event P | event R | event F1 | segment F1 |",
                "|---|---|---|---|---|---|---|"]
        for name, ev, sg in [(c, self.event[c], self.seg[c]) for c in self.vocabulary] + \
                [("**overall (micro)**", self._micro(self.event), self._micro(self.seg))]:
            rows.append(f"| {name} | {ev.n_ref} | {ev.n_est} | {ev.precision:.2f} | {ev.recall:.2f} | "
                        f"{ev.f1:.3f} | {sg.f1:.3f} |")
        return "\n".join(rows)
