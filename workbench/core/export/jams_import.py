"""Read layers back from a JAMS file (ours or another tool's).

Understood namespaces: ``pitch_contour`` and ``vector`` (Curve), ``note_midi`` and ``note_hz`` (Notes),
``tag_open`` and ``tag_audioset`` (Events, or Tags when our sandbox says so), ``lyrics`` (Segments, or Words). Other annotations
(blobs, chords, beats...) are skipped; :func:`read_jams` also returns their namespaces.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from .. import layers as L
from ..errors import WorkbenchError

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import jams


def _columns(ann):
    obs = list(ann.data)
    times = np.array([o.time for o in obs], dtype=np.float64)
    durs = np.array([o.duration for o in obs], dtype=np.float64)
    values = [o.value for o in obs]
    conf = [o.confidence for o in obs]
    return times, durs, values, conf


def _ends(times: np.ndarray, durs: np.ndarray) -> np.ndarray:
    # time + duration brings float noise (0.1 + 0.35 = 0.44999999999999996); nanoseconds are plenty.
    return np.round(times + durs, 9)


def _conf_array(conf: list) -> np.ndarray | None:
    if not conf or all(c is None for c in conf):
        return None
    return np.array([np.nan if c is None else float(c) for c in conf], dtype=np.float64)


def _info(ann) -> tuple[dict, dict]:
    """(our sandbox entry or {}, common Layer keyword arguments)."""
    raw = getattr(ann.sandbox, "workbench", None) if ann.sandbox is not None else None
    info = dict(raw.__dict__ if isinstance(raw, jams.JObject) else raw) if raw else {}
    meta = ann.annotation_metadata
    annotator = dict(meta.annotator.__dict__) if meta is not None and meta.annotator is not None else {}
    name = info.get("name") or annotator.get("name") or ann.namespace
    source = info.get("source") or annotator.get("plugin") or (meta.annotation_tools if meta is not None else "")
    metadata = dict(info.get("metadata") or {})
    metadata["jams_namespace"] = ann.namespace
    return info, {"name": str(name), "source": str(source or ""), "metadata": metadata}


def _pitch_contour(ann, info, kw) -> L.Layer:
    times, _, values, conf = _columns(ann)
    if values and not isinstance(values[0], dict):
        raise WorkbenchError("pitch_contour values are not objects")
    freq = np.array([float(v.get("frequency", 0.0)) for v in values], dtype=np.float64)
    voiced = np.array([bool(v.get("voiced", f > 0)) for v, f in zip(values, freq)], dtype=bool)
    return L.Curve(times=times, values=np.abs(freq), unit=info.get("unit", "Hz"),
                   confidence=_conf_array(conf), voiced=voiced, **kw)


def _vector(ann, info, kw) -> L.Layer:
    times, _, values, conf = _columns(ann)
    vals = np.array([float(v[0]) if len(v) else np.nan for v in values], dtype=np.float64)
    voiced = info.get("voiced")
    return L.Curve(times=times, values=vals, unit=info.get("unit", ""), confidence=_conf_array(conf),
                   voiced=None if voiced is None or len(voiced) != len(times) else voiced, **kw)


def _notes(ann, info, kw) -> L.Layer:
    times, durs, values, _ = _columns(ann)
    pitches = np.array(values, dtype=np.float64)
    if ann.namespace == "note_hz":
        pitches = 69.0 + 12.0 * np.log2(np.maximum(pitches, 1e-6) / 440.0)
    vel = info.get("velocities")
    vel = np.array(vel, dtype=np.float64) if vel is not None and len(vel) == len(times) else None
    return L.Notes(onsets=times, offsets=_ends(times, durs), pitches=pitches, velocities=vel, **kw)


def _tag_open(ann, info, kw) -> L.Layer:
    times, durs, values, conf = _columns(ann)
    c = _conf_array(conf)
    if info.get("kind") == "tags":
        scores = np.ones(len(values)) if c is None else np.nan_to_num(c, nan=0.0)
        ft, fs = info.get("frame_times"), info.get("frame_scores")
        frames = {}
        if ft is not None and fs is not None:
            frames = {"frame_times": np.array(ft, dtype=np.float64),
                      "frame_scores": np.array(fs, dtype=np.float64).reshape(len(ft), len(values)),
                      "frame_duration": float(info.get("frame_duration", 0.0))}
        return L.Tags(labels=[str(v) for v in values], scores=scores, **frames, **kw)
    conf_arr = np.ones(len(values)) if c is None else np.nan_to_num(c, nan=1.0)
    return L.Events(starts=times, ends=_ends(times, durs), labels=[str(v) for v in values], confidences=conf_arr, **kw)


def _lyrics(ann, info, kw) -> L.Layer:
    times, durs, values, conf = _columns(ann)
    cls = L.Words if info.get("kind") == "words" else L.Segments
    return cls(starts=times, ends=_ends(times, durs), texts=[str(v) for v in values],
               confidences=_conf_array(conf), **kw)


_READERS = {"pitch_contour": _pitch_contour, "vector": _vector, "note_midi": _notes, "note_hz": _notes,
            "tag_open": _tag_open, "tag_audioset": _tag_open, "lyrics": _lyrics}


def read_jams(path: str | os.PathLike) -> tuple[list[L.Layer], list[str]]:
    """(layers rebuilt from ``path``, namespaces of the annotations that could not become layers)."""
    path = Path(path)
    if not path.is_file():
        raise WorkbenchError(f"Cannot open '{path}': the file does not exist")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            jam = jams.load(str(path), validate=False)
    except Exception as exc:  # jams raises JSON, schema and key errors alike
        raise WorkbenchError(f"Cannot open '{path}' as JAMS: {type(exc).__name__}: {exc}") from exc
    layers, skipped = [], []
    for ann in jam.annotations:
        reader = _READERS.get(ann.namespace)
        if reader is None:
            skipped.append(ann.namespace)
            continue
        info, kw = _info(ann)
        try:
            layers.append(reader(ann, info, kw))
        except (TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
            raise WorkbenchError(f"Cannot read the '{ann.namespace}' annotation '{kw['name']}' in '{path}': {exc}") \
                from exc
    return layers, skipped


def layers_from_jams(path: str | os.PathLike) -> list[L.Layer]:
    """Layers (Curve, Notes, Events, Segments/Words, Tags) from a JAMS file; other annotations are skipped."""
    return read_jams(path)[0]
