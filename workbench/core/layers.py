"""Typed result layers that plugins return and the host renders, exports and saves.

All times are in seconds from the start of the session's audio. Layers are plain data (numpy arrays and
strings); they know how to turn themselves into JSON-able dicts for the project file. Exporters to JAMS
and natural formats live in :mod:`workbench.core.export`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

import numpy as np

from .audio import AudioBuffer

LAYER_TYPES: dict[str, type["Layer"]] = {}


def _arr(x, dtype=np.float64) -> np.ndarray:
    return np.asarray([] if x is None else x, dtype=dtype)


@dataclass(eq=False)
class Layer:
    """Common part of every layer: a display name, the plugin that made it and free-form metadata."""

    kind: ClassVar[str] = "layer"
    name: str
    source: str = ""  # plugin id (or "user") that produced the layer
    metadata: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])

    def __init_subclass__(cls, **kw):
        super().__init_subclass__(**kw)
        LAYER_TYPES[cls.kind] = cls

    @property
    def time_span(self) -> tuple[float, float]:
        """(first, last) time in seconds covered by the layer; (0, 0) when it has no time extent."""
        return (0.0, 0.0)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            v = getattr(self, f.name)
            out[f.name] = v.tolist() if isinstance(v, np.ndarray) else v
        return out

    @staticmethod
    def from_dict(d: dict[str, Any]) -> "Layer":
        d = dict(d)
        kind = d.pop("kind")
        cls = LAYER_TYPES.get(kind) or contributed_layer_class(kind)
        return cls(**d)


def contributed_layer_class(kind: str) -> type:
    """The class a plugin contributes for a layer kind the host does not know (imports it on first use)."""
    from .contributions import resolve
    from .errors import WorkbenchError
    from .registry import default_registry

    for manifest in default_registry():
        for lk in manifest.layer_kinds:
            if lk.kind == kind:
                return resolve(lk.layer_class)
    raise WorkbenchError(f"Unknown layer kind '{kind}': the plugin that makes it is not installed")


@dataclass(eq=False)
class Curve(Layer):
    """A value over time, e.g. f0 in Hz with a confidence and a voiced flag per frame."""

    kind: ClassVar[str] = "curve"
    times: np.ndarray = field(default_factory=lambda: _arr(None))
    values: np.ndarray = field(default_factory=lambda: _arr(None))
    unit: str = ""
    confidence: np.ndarray | None = None
    voiced: np.ndarray | None = None

    def __post_init__(self):
        self.times, self.values = _arr(self.times), _arr(self.values)
        if self.times.shape != self.values.shape:
            raise ValueError("Curve times and values must have the same length")
        if self.confidence is not None:
            self.confidence = _arr(self.confidence)
        if self.voiced is not None:
            self.voiced = _arr(self.voiced, bool)

    @property
    def time_span(self):
        return (float(self.times[0]), float(self.times[-1])) if len(self.times) else (0.0, 0.0)


@dataclass(eq=False)
class Notes(Layer):
    """Note events: onset and offset in seconds, pitch as (possibly fractional) MIDI number, velocity 0-127."""

    kind: ClassVar[str] = "notes"
    onsets: np.ndarray = field(default_factory=lambda: _arr(None))
    offsets: np.ndarray = field(default_factory=lambda: _arr(None))
    pitches: np.ndarray = field(default_factory=lambda: _arr(None))
    velocities: np.ndarray = field(default_factory=lambda: _arr(None))

    def __post_init__(self):
        self.onsets, self.offsets, self.pitches = _arr(self.onsets), _arr(self.offsets), _arr(self.pitches)
        self.velocities = _arr(self.velocities) if len(_arr(self.velocities)) else np.full(len(self.onsets), 100.0)
        if not (len(self.onsets) == len(self.offsets) == len(self.pitches) == len(self.velocities)):
            raise ValueError("Notes arrays must have the same length")

    def __len__(self):
        return len(self.onsets)

    @property
    def time_span(self):
        return (float(self.onsets.min()), float(self.offsets.max())) if len(self.onsets) else (0.0, 0.0)


@dataclass(eq=False)
class Events(Layer):
    """Labelled time spans (sound events, speech regions) with a confidence each."""

    kind: ClassVar[str] = "events"
    starts: np.ndarray = field(default_factory=lambda: _arr(None))
    ends: np.ndarray = field(default_factory=lambda: _arr(None))
    labels: list[str] = field(default_factory=list)
    confidences: np.ndarray = field(default_factory=lambda: _arr(None))

    def __post_init__(self):
        self.starts, self.ends, self.labels = _arr(self.starts), _arr(self.ends), list(self.labels)
        c = _arr(self.confidences)
        self.confidences = c if len(c) else np.ones(len(self.starts))
        if not (len(self.starts) == len(self.ends) == len(self.labels) == len(self.confidences)):
            raise ValueError("Events arrays must have the same length")

    def __len__(self):
        return len(self.starts)

    @property
    def classes(self) -> list[str]:
        return sorted(set(self.labels))

    @property
    def time_span(self):
        return (float(self.starts.min()), float(self.ends.max())) if len(self.starts) else (0.0, 0.0)


@dataclass(eq=False)
class Segments(Layer):
    """Text with times, e.g. transcript segments (sentences)."""

    kind: ClassVar[str] = "segments"
    starts: np.ndarray = field(default_factory=lambda: _arr(None))
    ends: np.ndarray = field(default_factory=lambda: _arr(None))
    texts: list[str] = field(default_factory=list)
    confidences: np.ndarray | None = None

    def __post_init__(self):
        self.starts, self.ends, self.texts = _arr(self.starts), _arr(self.ends), list(self.texts)
        if self.confidences is not None:
            self.confidences = _arr(self.confidences)
        if not (len(self.starts) == len(self.ends) == len(self.texts)):
            raise ValueError("Segments arrays must have the same length")

    def __len__(self):
        return len(self.starts)

    @property
    def text(self) -> str:
        return " ".join(t.strip() for t in self.texts).strip()

    @property
    def time_span(self):
        return (float(self.starts.min()), float(self.ends.max())) if len(self.starts) else (0.0, 0.0)


@dataclass(eq=False)
class Words(Segments):
    """Word-level text with times (one entry per word)."""

    kind: ClassVar[str] = "words"


@dataclass(eq=False)
class Tags(Layer):
    """Label scores for the whole clip, optionally also per time frame (frame_times x labels)."""

    kind: ClassVar[str] = "tags"
    labels: list[str] = field(default_factory=list)
    scores: np.ndarray = field(default_factory=lambda: _arr(None))
    frame_times: np.ndarray | None = None
    frame_scores: np.ndarray | None = None  # shape (len(frame_times), len(labels))
    frame_duration: float = 0.0

    def __post_init__(self):
        self.labels, self.scores = list(self.labels), _arr(self.scores)
        if len(self.labels) != len(self.scores):
            raise ValueError("Tags labels and scores must have the same length")
        if self.frame_scores is not None:
            self.frame_times, self.frame_scores = _arr(self.frame_times), _arr(self.frame_scores)
            if self.frame_scores.shape != (len(self.frame_times), len(self.labels)):
                raise ValueError("Tags frame_scores must have shape (frames, labels)")

    def top(self, k: int = 5) -> list[tuple[str, float]]:
        order = np.argsort(-self.scores)[:k]
        return [(self.labels[i], float(self.scores[i])) for i in order]

    @property
    def time_span(self):
        if self.frame_times is not None and len(self.frame_times):
            return (float(self.frame_times[0]), float(self.frame_times[-1] + self.frame_duration))
        return (0.0, 0.0)


@dataclass(eq=False)
class Matrix(Layer):
    """A dense time x bins image, e.g. pitch salience; ``bins`` holds each row's value (Hz, index...)."""

    kind: ClassVar[str] = "matrix"
    times: np.ndarray = field(default_factory=lambda: _arr(None))
    bins: np.ndarray = field(default_factory=lambda: _arr(None))
    values: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    bin_unit: str = ""
    value_unit: str = ""

    def __post_init__(self):
        self.times, self.bins = _arr(self.times), _arr(self.bins)
        self.values = np.asarray(self.values, dtype=np.float32)
        if self.values.shape != (len(self.times), len(self.bins)):
            raise ValueError("Matrix values must have shape (times, bins)")

    @property
    def time_span(self):
        return (float(self.times[0]), float(self.times[-1])) if len(self.times) else (0.0, 0.0)


@dataclass(eq=False)
class Tracks(Layer):
    """New audio made by a plugin (stems, speech, re-synthesis), keyed by track name, placed at ``offset`` s."""

    kind: ClassVar[str] = "tracks"
    tracks: dict[str, AudioBuffer] = field(default_factory=dict)
    offset: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        # Audio is stored next to the project file by the session; here only the names travel.
        return {"kind": self.kind, "name": self.name, "source": self.source, "metadata": self.metadata,
                "id": self.id, "offset": self.offset, "tracks": {k: None for k in self.tracks}}

    @property
    def time_span(self):
        if not self.tracks:
            return (0.0, 0.0)
        return (self.offset, self.offset + max(b.duration for b in self.tracks.values()))


@dataclass
class Match:
    """One library item found by a search, with how it aligns to the query."""

    item: str  # path or id of the library item
    score: float
    title: str = ""
    transposition: int = 0  # semitones to add to the item to match the query
    tempo_ratio: float = 1.0  # item duration / query duration along the alignment
    alignment: list[tuple[float, float]] = field(default_factory=list)  # (query s, item s) pairs


@dataclass(eq=False)
class Matches(Layer):
    """A ranked list of library items (best first)."""

    kind: ClassVar[str] = "matches"
    matches: list[Match] = field(default_factory=list)

    def __post_init__(self):
        self.matches = [m if isinstance(m, Match) else Match(**m) for m in self.matches]

    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        d = super().to_dict()
        d["matches"] = [asdict(m) for m in self.matches]
        return d
