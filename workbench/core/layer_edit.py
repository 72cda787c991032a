"""Edits of result layers (Qt-free): add, move, resize, relabel and delete spans and notes; erase, draw and
octave-shift an f0 curve.

Every function returns a NEW layer (the old one stays as it was, which is what undo needs) with the same id,
name + " (edited)" and metadata that keeps where the layer came from (plugin, model, device...) plus
``edited: True`` and a list of the ``edits`` made. Items are addressed by index; :func:`items_in` finds the
ones in a time range.
"""

from __future__ import annotations

import copy

import numpy as np

from .errors import WorkbenchError
from .layers import Curve, Events, Layer, Notes, Segments

EDITED = " (edited)"
SPAN_ARRAYS = ("starts", "ends", "confidences")


def edited(layer: Layer, what: str, **changes) -> Layer:
    """A copy of ``layer`` with ``changes`` applied, marked as edited (``what`` is added to its edit list)."""
    new = copy.copy(layer)
    new.metadata = copy.deepcopy(layer.metadata)
    for key, value in changes.items():
        setattr(new, key, value)
    check = getattr(new, "__post_init__", None)
    if check is not None:  # the layer's own checks: equal lengths, array types
        check()
    if not new.name.endswith(EDITED):
        new.name = layer.name + EDITED
    new.metadata["edited"] = True
    new.metadata.setdefault("edits", []).append(what)
    return new


def _span_texts(layer: Events | Segments) -> list[str]:
    return list(layer.labels if isinstance(layer, Events) else layer.texts)


def _span_fields(layer: Events | Segments, starts, ends, texts, conf) -> dict:
    out = {"starts": np.asarray(starts, float), "ends": np.asarray(ends, float)}
    out["labels" if isinstance(layer, Events) else "texts"] = list(texts)
    if conf is not None:
        out["confidences"] = np.asarray(conf, float)
    return out


def items_in(layer: Layer, t0: float, t1: float | None = None) -> np.ndarray:
    """Indices of the spans/notes overlapping ``t0..t1`` (or containing ``t0`` when ``t1`` is None)."""
    if isinstance(layer, Notes):
        a, b = layer.onsets, layer.offsets
    elif isinstance(layer, (Events, Segments)):
        a, b = layer.starts, layer.ends
    else:
        raise WorkbenchError(f"A {layer.kind} layer has no items to pick")
    if t1 is None:
        return np.flatnonzero((a <= t0) & (b >= t0))
    return np.flatnonzero((a < t1) & (b > t0))


def _check_span(t0: float, t1: float) -> None:
    if not (np.isfinite(t0) and np.isfinite(t1)) or t1 <= t0 or t0 < 0:
        raise WorkbenchError("Select a time span first (drag over the timeline)")


# ----- spans: Events, Segments, Words -------------------------------------------------------------
def add_span(layer: Events | Segments, t0: float, t1: float, text: str) -> Layer:
    """A new event / segment / word from ``t0`` to ``t1`` s, kept in time order."""
    _check_span(t0, t1)
    texts = _span_texts(layer)
    conf = _confidences(layer)
    i = int(np.searchsorted(layer.starts, t0, side="right"))
    fields = _span_fields(layer, np.insert(layer.starts, i, t0), np.insert(layer.ends, i, t1),
                          texts[:i] + [text] + texts[i:], None if conf is None else np.insert(conf, i, 1.0))
    return edited(layer, f"add {text!r} at {t0:.3f}-{t1:.3f} s", **fields)


def _confidences(layer: Events | Segments) -> np.ndarray | None:
    c = layer.confidences
    return None if c is None or len(c) != len(layer) else np.asarray(c, float)


def delete_items(layer: Layer, indices) -> Layer:
    """``layer`` without the spans / notes at ``indices``."""
    idx = np.asarray(sorted(set(int(i) for i in indices)), dtype=int)
    if not len(idx):
        raise WorkbenchError("Nothing to delete: no item at the cursor or in the selection")
    keep = np.setdiff1d(np.arange(len(layer)), idx)
    what = f"delete {len(idx)} item(s)"
    if isinstance(layer, Notes):
        return edited(layer, what, onsets=layer.onsets[keep], offsets=layer.offsets[keep],
                      pitches=layer.pitches[keep], velocities=layer.velocities[keep])
    texts, conf = _span_texts(layer), _confidences(layer)
    return edited(layer, what, **_span_fields(layer, layer.starts[keep], layer.ends[keep], [texts[i] for i in keep],
                                              None if conf is None else conf[keep]))


def move_items(layer: Layer, indices, dt: float = 0.0, semitones: float = 0.0) -> Layer:
    """Spans / notes at ``indices`` moved by ``dt`` s (not before 0), notes also by ``semitones``."""
    idx = np.asarray(list(indices), dtype=int)
    if not len(idx):
        raise WorkbenchError("Nothing to move: no item at the cursor or in the selection")
    a, b = (layer.onsets, layer.offsets) if isinstance(layer, Notes) else (layer.starts, layer.ends)
    dt = max(float(dt), -float(a[idx].min()))  # nothing moves before the file's start
    a, b = a.copy(), b.copy()
    a[idx] += dt
    b[idx] += dt
    if isinstance(layer, Notes):
        p = layer.pitches.copy()
        p[idx] = np.clip(p[idx] + semitones, 0, 127)
        what = f"move {len(idx)} note(s) by {dt:+.3f} s, {semitones:+g} semitones"
        return edited(layer, what, onsets=a, offsets=b, pitches=p)
    return edited(layer, f"move {len(idx)} item(s) by {dt:+.3f} s", starts=a, ends=b)


def set_bounds(layer: Layer, index: int, t0: float, t1: float) -> Layer:
    """The span / note at ``index`` resized to ``t0..t1`` s."""
    _check_span(t0, t1)
    what = f"resize item {index} to {t0:.3f}-{t1:.3f} s"
    if isinstance(layer, Notes):
        a, b = layer.onsets.copy(), layer.offsets.copy()
        a[index], b[index] = t0, t1
        return edited(layer, what, onsets=a, offsets=b)
    a, b = layer.starts.copy(), layer.ends.copy()
    a[index], b[index] = t0, t1
    return edited(layer, what, starts=a, ends=b)


def relabel(layer: Events | Segments, index: int, text: str) -> Layer:
    """The span at ``index`` with a new label / text."""
    texts = _span_texts(layer)
    old, texts[index] = texts[index], text
    key = "labels" if isinstance(layer, Events) else "texts"
    return edited(layer, f"relabel {old!r} -> {text!r}", **{key: texts})


def rename_class(layer: Events | Segments, old: str, new: str) -> Layer:
    """Every span labelled ``old`` relabelled ``new`` (e.g. 'Speaker 1' -> 'Alice'); speaker names carried in
    the metadata (words and segments labelled by diarization) follow."""
    new = new.strip()
    if not new:
        raise WorkbenchError("The new name is empty")
    texts = _span_texts(layer)
    if old not in texts:
        raise WorkbenchError(f"No item is labelled {old!r} in '{layer.name}'")
    key = "labels" if isinstance(layer, Events) else "texts"
    out = edited(layer, f"rename {old!r} -> {new!r}", **{key: [new if t == old else t for t in texts]})
    speakers = out.metadata.get("speakers")
    if isinstance(speakers, list):
        out.metadata["speakers"] = [new if s == old else s for s in speakers]
    return out


# ----- notes -------------------------------------------------------------------------------------
def add_note(layer: Notes, t0: float, t1: float, pitch: float, velocity: float = 100.0) -> Layer:
    _check_span(t0, t1)
    if not 0 <= pitch <= 127:
        raise WorkbenchError(f"A MIDI pitch is 0..127, not {pitch:g}")
    i = int(np.searchsorted(layer.onsets, t0, side="right"))
    return edited(layer, f"add note {pitch:g} at {t0:.3f}-{t1:.3f} s", onsets=np.insert(layer.onsets, i, t0),
                  offsets=np.insert(layer.offsets, i, t1), pitches=np.insert(layer.pitches, i, pitch),
                  velocities=np.insert(layer.velocities, i, velocity))


# ----- f0 curves ---------------------------------------------------------------------------------
def _frames(layer: Curve, t0: float, t1: float) -> np.ndarray:
    _check_span(t0, t1)
    idx = np.flatnonzero((layer.times >= t0) & (layer.times <= t1))
    if not len(idx):
        raise WorkbenchError("The selection holds no frame of the curve")
    return idx


def _voiced(layer: Curve) -> np.ndarray:
    if layer.voiced is not None and len(layer.voiced) == len(layer.times):
        return layer.voiced.copy()
    return np.isfinite(layer.values) & (layer.values > 0)


def erase_curve(layer: Curve, t0: float, t1: float) -> Layer:
    """Frames in ``t0..t1`` become unvoiced (value 0, like the pitch plugins' unvoiced frames)."""
    idx = _frames(layer, t0, t1)
    v, voiced = layer.values.copy(), _voiced(layer)
    v[idx], voiced[idx] = 0.0, False
    return edited(layer, f"erase {t0:.3f}-{t1:.3f} s", values=v, voiced=voiced)


def draw_curve(layer: Curve, t0: float, t1: float, v0: float, v1: float) -> Layer:
    """Frames in ``t0..t1`` set to a line from ``v0`` to ``v1`` (geometric for Hz, so a glide in pitch) and
    voiced."""
    if v0 <= 0 or v1 <= 0:
        raise WorkbenchError("Draw f0 with frequencies above 0 Hz")
    idx = _frames(layer, t0, t1)
    frac = (layer.times[idx] - t0) / (t1 - t0)
    hz = layer.unit.strip().lower() == "hz"
    line = v0 * (v1 / v0) ** frac if hz else v0 + (v1 - v0) * frac
    v, voiced = layer.values.copy(), _voiced(layer)
    v[idx], voiced[idx] = line, True
    conf = None if layer.confidence is None else layer.confidence.copy()
    if conf is not None and len(conf) == len(v):
        conf[idx] = 1.0  # drawn by hand: sure
    return edited(layer, f"draw {v0:g}-{v1:g} over {t0:.3f}-{t1:.3f} s", values=v, voiced=voiced, confidence=conf)


def shift_octave(layer: Curve, t0: float, t1: float, octaves: int) -> Layer:
    """Voiced frames in ``t0..t1`` multiplied by ``2 ** octaves`` (fixes a model's octave slips)."""
    idx = _frames(layer, t0, t1)
    voiced = _voiced(layer)
    v = layer.values.copy()
    sel = idx[voiced[idx]]
    if not len(sel):
        raise WorkbenchError("No voiced frame in the selection to shift")
    v[sel] = v[sel] * 2.0 ** octaves
    return edited(layer, f"octave {octaves:+d} over {t0:.3f}-{t1:.3f} s", values=v)
