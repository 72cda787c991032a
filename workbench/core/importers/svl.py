"""Sonic Visualiser layer files (``.svl``, ours or SV's): time-value, note, region and time-instant models.

Frames become seconds at the model's ``sampleRate`` (kept in ``metadata["sample_rate"]`` so a later .svl
export uses the same grid). A ``workbenchKind`` attribute (ours) tells Words and Segments from Events.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from ..errors import WorkbenchError
from ..layers import Curve, Events, Layer, Notes, Segments, Words
from .common import base_kwargs


def _f(point, name: str, default: float = 0.0) -> float:
    try:
        return float(point.get(name, default))
    except ValueError:
        return default


def read_svl(path: Path, kind: str | None = None) -> list[Layer]:
    try:
        root = ET.parse(path).getroot()
    except (ET.ParseError, OSError) as exc:
        raise WorkbenchError(f"Cannot read '{path.name}' as a Sonic Visualiser layer: {exc}") from None
    datasets = {d.get("id"): d for d in root.iter("dataset")}
    layers: list[Layer] = []
    for model in root.iter("model"):
        if model.get("type") != "sparse" or model.get("dataset") not in datasets:
            continue  # audio (wave file) models and dense data are not annotations
        rate = _f(model, "sampleRate", 0.0)
        if rate <= 0:
            raise WorkbenchError(f"'{path.name}': the model has no valid sampleRate")
        points = datasets[model.get("dataset")].findall("point")
        frame = np.array([_f(p, "frame") for p in points]) / rate
        dims, subtype = model.get("dimensions"), model.get("subtype", "")
        hint = kind or model.get("workbenchKind")
        kw = base_kwargs(path, model.get("name", ""))
        kw["metadata"]["sample_rate"] = int(rate) if float(rate).is_integer() else rate
        value = np.array([_f(p, "value") for p in points])
        labels = [p.get("label", "") for p in points]
        if dims == "2" and subtype not in ("text", "path", "box"):
            layers.append(Curve(times=frame, values=value, unit=model.get("units", ""), **kw))
        elif dims == "3" and subtype in ("note", "flexinote", ""):
            pitch = value
            if model.get("units", "").strip().lower() == "hz":
                pitch = 69.0 + 12.0 * np.log2(np.maximum(value, 1e-6) / 440.0)
            end = frame + np.array([_f(p, "duration") for p in points]) / rate
            level = np.array([_f(p, "level", 1.0) for p in points])
            layers.append(Notes(onsets=frame, offsets=end, pitches=pitch,
                                velocities=np.round(level * 127.0, 6), **kw))
        elif dims in ("1", "3") or subtype == "text":
            end = frame + np.array([_f(p, "duration") for p in points]) / rate
            if hint in ("segments", "words"):
                cls = Words if hint == "words" else Segments
                layers.append(cls(starts=frame, ends=end, texts=labels, confidences=value, **kw))
            else:
                conf = value if dims == "3" else np.ones(len(points))
                layers.append(Events(starts=frame, ends=end, labels=labels, confidences=conf, **kw))
    if not layers:
        raise WorkbenchError(f"'{path.name}' holds no time-value, note or region layer")
    return layers
