"""Layers to JAMS 0.3 (one annotation per layer), written so that ``jams.load`` + ``validate()`` accept it.

Namespaces: Curve in Hz -> ``pitch_contour``; other Curves -> ``vector`` (value ``[v]``); Notes -> ``note_midi``;
Events -> ``tag_open`` (``tag_audioset`` when ``metadata["jams_namespace"]`` says so, e.g. YAMNet's classes);
Segments/Words -> ``lyrics`` (``chord`` / ``key_mode`` when the metadata says so); Curves whose
metadata says ``tempo`` -> ``tempo``; Events saying ``beat`` -> ``beat``; Tags -> the same tag namespaces at
clip level (time 0, the whole duration, confidence = score); Matrix, Tracks, Matches -> ``blob`` summaries.
Every annotation names the layer and its plugin in ``annotation_metadata`` and keeps what JAMS has no field
for (kind, unit, velocities, frame scores) in ``sandbox.workbench`` so :func:`workbench.core.export.jams_import.layers_from_jams` can rebuild it.
"""

from __future__ import annotations

import json
import math
import warnings
from dataclasses import asdict
from pathlib import Path

import numpy as np

from .. import layers as L
from ..audio import AudioBuffer
from ..errors import WorkbenchError
from .atomic import safe_name, write_text
from .audio_tracks import track_paths

with warnings.catch_warnings():  # jams imports pkg_resources, which warns on import
    warnings.simplefilter("ignore")
    import jams


def jsonable(obj):
    """``obj`` with numpy types turned into Python ones, non-finite floats into None, unknown objects dropped."""
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items() if _is_plain(v)}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in (obj.tolist() if isinstance(obj, np.ndarray) else obj)]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    return obj if obj is None or isinstance(obj, str) else str(obj)


def _is_plain(v) -> bool:
    return v is None or isinstance(v, (dict, list, tuple, np.ndarray, str, bool, int, float, np.generic))


def _opt(x) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def layers_duration(layers: list[L.Layer], audio: AudioBuffer | None) -> float:
    """The audio's duration in seconds, else the latest end time of any layer."""
    if audio is not None:
        return float(audio.duration)
    return max([0.0] + [float(layer.time_span[1]) for layer in layers])


def _annotation(namespace: str, layer: L.Layer, duration: float, extra: dict | None = None) -> "jams.Annotation":
    ann = jams.Annotation(namespace=namespace, time=0.0, duration=duration)
    ann.annotation_metadata = jams.AnnotationMetadata(
        annotator={"name": layer.name, "plugin": layer.source, "kind": layer.kind},
        annotation_tools=layer.source or "", data_source="Audio Workbench")
    info = {"kind": layer.kind, "name": layer.name, "source": layer.source,
            "metadata": jsonable({k: v for k, v in layer.metadata.items() if k != "display"})}
    info.update(extra or {})
    ann.sandbox = jams.Sandbox(workbench=info)
    return ann


def _add(ann, times, durations, values, confidences=None) -> None:
    n = len(values)
    conf = [None] * n if confidences is None else [_opt(c) for c in confidences]
    ann.append_columns({"time": [max(0.0, float(t)) for t in times],
                        "duration": [max(0.0, float(d)) for d in durations], "value": values, "confidence": conf})


def _curve(layer: L.Curve, duration: float, folder: Path, stem: str):
    times = layer.times
    ok = np.isfinite(times) & (times >= 0)
    conf = layer.confidence if layer.confidence is not None and len(layer.confidence) == len(times) else None
    if layer.unit.strip().lower() == "hz":
        vals = np.where(np.isfinite(layer.values), layer.values, 0.0)
        voiced = layer.voiced if layer.voiced is not None and len(layer.voiced) == len(times) else vals > 0
        ann = _annotation("pitch_contour", layer, duration, {"unit": layer.unit})
        values = [{"index": 0, "frequency": float(abs(f)), "voiced": bool(v)} for f, v in zip(vals[ok], voiced[ok])]
        _add(ann, times[ok], np.zeros(ok.sum()), values, None if conf is None else conf[ok])
        return ann, []
    ok &= np.isfinite(layer.values)  # vector values must be numbers
    if layer.metadata.get("jams_namespace") == "tempo":  # BPM values; the namespace requires a confidence
        ann = _annotation("tempo", layer, duration, {"unit": layer.unit})
        c = np.ones(ok.sum()) if conf is None else np.clip(np.nan_to_num(conf[ok], nan=1.0), 0.0, 1.0)
        _add(ann, times[ok], np.zeros(ok.sum()), [max(0.0, float(v)) for v in layer.values[ok]], c)
        return ann, []
    extra = {"unit": layer.unit}
    if layer.voiced is not None and len(layer.voiced) == len(times):
        extra["voiced"] = layer.voiced[ok].astype(bool).tolist()
    ann = _annotation("vector", layer, duration, extra)
    _add(ann, times[ok], np.zeros(ok.sum()), [[float(v)] for v in layer.values[ok]],
         None if conf is None else conf[ok])
    return ann, []


def _notes(layer: L.Notes, duration: float, folder: Path, stem: str):
    ann = _annotation("note_midi", layer, duration, {"velocities": jsonable(layer.velocities)})
    _add(ann, layer.onsets, layer.offsets - layer.onsets, [float(p) for p in layer.pitches])
    return ann, []


def tag_namespace(layer: L.Layer, labels: list[str]) -> str:
    """``tag_audioset`` when the layer says its labels are AudioSet classes (YAMNet) and they all are, else
    ``tag_open``."""
    if layer.metadata.get("jams_namespace") == "tag_audioset":
        allowed = set(jams.schema.namespace("tag_audioset")["properties"]["value"]["enum"])
        if all(label in allowed for label in labels):
            return "tag_audioset"
    return "tag_open"


def _events(layer: L.Events, duration: float, folder: Path, stem: str):
    if layer.metadata.get("jams_namespace") == "beat":  # value: the position in the bar when the label is one
        ann = _annotation("beat", layer, duration, {"labels": list(layer.labels)})
        values = [float(x) if str(x).strip().isdigit() else None for x in layer.labels]
        _add(ann, layer.starts, np.zeros(len(layer)), values, layer.confidences)
        return ann, []
    ann = _annotation(tag_namespace(layer, layer.labels), layer, duration)
    _add(ann, layer.starts, layer.ends - layer.starts, [str(x) for x in layer.labels], layer.confidences)
    return ann, []


def _segments(layer: L.Segments, duration: float, folder: Path, stem: str):
    ns = layer.metadata.get("jams_namespace")
    ns = ns if ns in ("chord", "key_mode") else "lyrics"
    ann = _annotation(ns, layer, duration)
    conf = layer.confidences if layer.confidences is not None and len(layer.confidences) == len(layer) else None
    texts = [str(t) for t in layer.texts]
    if ns == "key_mode":  # "A minor" -> "A:minor"
        texts = [":".join(t.split()) for t in texts]
    _add(ann, layer.starts, layer.ends - layer.starts, texts, conf)
    return ann, []


def _tags(layer: L.Tags, duration: float, folder: Path, stem: str):
    extra = {}
    if layer.frame_scores is not None:
        extra = {"frame_times": jsonable(layer.frame_times), "frame_scores": jsonable(layer.frame_scores),
                 "frame_duration": float(layer.frame_duration)}
    ann = _annotation(tag_namespace(layer, layer.labels), layer, duration, extra)
    n = len(layer.labels)
    _add(ann, np.zeros(n), np.full(n, duration), [str(x) for x in layer.labels], layer.scores)
    return ann, []


def _matrix(layer: L.Matrix, duration: float, folder: Path, stem: str):
    ann = _annotation("blob", layer, duration)
    t0, t1 = layer.time_span
    summary = {"shape": list(layer.values.shape), "bins": jsonable(layer.bins), "bin_unit": layer.bin_unit,
               "value_unit": layer.value_unit, "frames": len(layer.times), "first_time": t0, "last_time": t1}
    _add(ann, [t0], [t1 - t0], [summary])
    return ann, []


def _tracks(layer: L.Tracks, duration: float, folder: Path, stem: str):
    # The audio itself goes beside the JAMS file as WAV; the annotation lists the files.
    ann = _annotation("blob", layer, duration, {"offset": float(layer.offset)})
    base = folder / f"{stem}_{safe_name(layer.name, 'tracks')}.wav"
    written, values, durs = [], [], []
    for name, target in track_paths(layer, base).items():
        buf = layer.tracks[name]
        value = {"track": name, "file": target.name}
        if buf is not None:
            from ..audio_io import save_audio

            written.append(save_audio(buf, target))
            value.update(sample_rate=buf.sample_rate, channels=buf.channels, duration=buf.duration)
        values.append(value)
        durs.append(value.get("duration", 0.0))
    _add(ann, [layer.offset] * len(values), durs, values)
    return ann, written


def _matches(layer: L.Matches, duration: float, folder: Path, stem: str):
    ann = _annotation("blob", layer, duration)
    values = [dict(jsonable(asdict(m)), rank=r) for r, m in enumerate(layer.matches, 1)]
    n = len(values)
    _add(ann, np.zeros(n), np.full(n, duration), values, [m.score for m in layer.matches])
    return ann, []


_CONVERTERS = {"curve": _curve, "notes": _notes, "events": _events, "segments": _segments, "words": _segments,
               "tags": _tags, "matrix": _matrix, "tracks": _tracks, "matches": _matches}


def layers_to_jams(layers: list[L.Layer], audio: AudioBuffer | None = None,
                   folder: Path | None = None, stem: str = "layers") -> tuple["jams.JAMS", list[Path]]:
    """A JAMS object with one annotation per layer, plus any audio files written for Tracks layers.

    ``folder``/``stem`` say where Tracks audio goes (``<stem>_<layer>[_<track>].wav``); without a folder
    Tracks are listed but their audio is not written.
    """
    duration = layers_duration(layers, audio)
    jam = jams.JAMS()
    jam.file_metadata.duration = duration
    if audio is not None:
        jam.file_metadata.title = audio.name or ""
    extra_files: list[Path] = []
    for layer in layers:
        conv = _CONVERTERS.get(layer.kind)
        if conv is None:
            raise WorkbenchError(f"Layer '{layer.name}' of kind '{layer.kind}' cannot be written to JAMS")
        if layer.kind == "tracks" and folder is None:
            layer = L.Tracks(name=layer.name, source=layer.source, metadata=layer.metadata, offset=layer.offset,
                             tracks={k: None for k in layer.tracks})
        ann, files = conv(layer, duration, folder or Path("."), stem)
        jam.annotations.append(ann)
        extra_files += files
    _validate(jam)
    return jam, extra_files


VALIDATE_ALL_BELOW = 4000  # observations; above, the first and last half of this many are checked


def _validate(jam: "jams.JAMS") -> None:
    """Schema-check the file and every annotation; long ones by their head and tail only.

    Full validation of a 10-minute pitch contour takes several seconds, and the observations of one
    annotation are all built by the same code, so checking both ends catches what a full pass would.
    """
    try:
        jams.schema.VALIDATOR.validate(jam.__json_light__, jams.schema.JAMS_SCHEMA)
        for ann in jam.annotations:
            if len(ann.data) <= VALIDATE_ALL_BELOW:
                ann.validate(strict=True)
                continue
            obs = list(ann.data)
            half = VALIDATE_ALL_BELOW // 2
            probe = jams.Annotation(ann.namespace, time=ann.time, duration=ann.duration,
                                    annotation_metadata=ann.annotation_metadata, sandbox=ann.sandbox)
            probe.append_records([o._asdict() for o in obs[:half] + obs[-half:]])
            probe.validate(strict=True)
    except (jams.SchemaError, jams.schema.jsonschema.ValidationError) as exc:
        raise WorkbenchError(f"The layers do not form valid JAMS: {exc}") from exc


def write_jams(layers: list[L.Layer], path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """Write all ``layers`` into one JAMS file at ``path``; returns it first, then any Tracks audio files."""
    path = Path(path)
    jam, extra = layers_to_jams(layers, audio, path.parent, path.stem)
    text = json.dumps(jam.__json__, allow_nan=False)
    return [write_text(path, text)] + extra


def layer_jams(layer: L.Layer, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """Single-layer writer signature for the format table."""
    return write_jams([layer], path, audio)
