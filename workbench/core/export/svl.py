"""Sonic Visualiser layer files (``.svl``): the XML that SV itself writes with File > Export Annotation Layer.

One ``<model>`` with its ``<dataset>`` of points, and one ``<layer>`` that says how SV shows it:
Curve -> a sparse time-value model shown as "Discrete Curves" (plot style 6: unvoiced frames are simply absent,
and SV breaks the line where points are more than two hops apart), with the unit (Hz) kept; Notes -> a note model
in MIDI pitch (level = velocity / 127); Events, Segments and Words -> a region model with labels (value =
confidence). SV opens these with no import dialog. Times are sample frames at ``sampleRate``: the audio's rate
when known, so the points land on the file's own samples.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np

from ..audio import AudioBuffer
from ..layers import Curve, Events, Layer, Notes, Segments
from .atomic import write_text
from .tabular import note_name, num, voiced_rows

DEFAULT_RATE = 44100
PLOT_DISCRETE_CURVES = 6  # TimeValueLayer::PlotDiscreteCurves


def sample_rate_for(layer: Layer, audio: AudioBuffer | None) -> int:
    """The audio's rate, else the rate the layer was read with (from an .svl), else 44.1 kHz."""
    if audio is not None:
        return int(audio.sample_rate)
    return int(layer.metadata.get("sample_rate") or DEFAULT_RATE)


def _frames(times, rate: int) -> np.ndarray:
    return np.round(np.maximum(np.asarray(times, dtype=np.float64), 0.0) * rate).astype(np.int64)


def _attrs(**kw) -> str:
    return " ".join(f"{k}={quoteattr(str(v))}" for k, v in kw.items())


def _document(model: str, dims: int, points: list[str], layer: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE sonic-visualiser>\n<sv>\n  <data>\n'
            f"    {model}\n"
            f'    <dataset id="0" dimensions="{dims}">\n'
            + "".join(f"      {p}\n" for p in points)
            + f"    </dataset>\n  </data>\n  <display>\n    {layer}\n  </display>\n</sv>\n")


def _model(layer: Layer, rate: int, frames: np.ndarray, dims: int, resolution: int, values, ends=None,
           **extra) -> str:
    values = np.asarray(values, dtype=np.float64)
    lo, hi = (float(values.min()), float(values.max())) if len(values) else (0.0, 0.0)
    last = frames if ends is None else np.maximum(frames, ends)
    start, end = (int(frames.min()), int(last.max())) if len(frames) else (0, 0)
    return (f"<model {_attrs(id=1, name=layer.name, sampleRate=rate, start=start, end=end)} "
            f"{_attrs(type='sparse', dimensions=dims, resolution=max(1, int(resolution)))} "
            f"{_attrs(notifyOnAdd='true', dataset=0)} "
            f"{_attrs(minimum=num(lo), maximum=num(hi), **extra)} {_attrs(workbenchKind=layer.kind)}/>")


def _curve(layer: Curve, rate: int) -> str:
    idx = voiced_rows(layer)
    frames = _frames(layer.times[idx], rate)
    hops = np.diff(_frames(layer.times, rate))
    resolution = int(np.median(hops)) if len(hops) and np.median(hops) > 0 else 1
    model = _model(layer, rate, frames, 2, resolution, layer.values[idx], units=layer.unit)
    points = [f'<point frame="{f}" value="{num(v)}" label=""/>' for f, v in zip(frames, layer.values[idx])]
    view = f"<layer {_attrs(id=2, type='timevalues', name=layer.name, model=1, plotStyle=PLOT_DISCRETE_CURVES)}/>"
    return _document(model, 2, points, view)


def _notes(layer: Notes, rate: int) -> str:
    on, off = _frames(layer.onsets, rate), _frames(layer.offsets, rate)
    model = _model(layer, rate, on, 3, 1, layer.pitches, off, subtype="note", valueQuantization=0,
                   units="MIDI Pitch")
    points = [f"<point {_attrs(frame=a, value=num(p), duration=max(0, b - a), level=num(v / 127.0))} "
              f"{_attrs(label=note_name(p))}/>" for a, b, p, v in zip(on, off, layer.pitches, layer.velocities)]
    view = f"<layer {_attrs(id=2, type='notes', name=layer.name, model=1)}/>"
    return _document(model, 3, points, view)


def _regions(layer: Events | Segments, rate: int) -> str:
    a, b = _frames(layer.starts, rate), _frames(layer.ends, rate)
    if isinstance(layer, Events):
        labels, conf = layer.labels, layer.confidences
    else:
        labels = layer.texts
        ok = layer.confidences is not None and len(layer.confidences) == len(layer)
        conf = layer.confidences if ok else np.zeros(len(layer))
    model = _model(layer, rate, a, 3, 1, conf, b, subtype="region", valueQuantization=0, units="")
    points = [f"<point {_attrs(frame=s, value=num(c), duration=max(0, e - s), label=' '.join(str(t).split()))}/>"
              for s, e, t, c in zip(a, b, labels, conf)]
    view = f"<layer {_attrs(id=2, type='regions', name=layer.name, model=1)}/>"
    return _document(model, 3, points, view)


def layer_svl(layer: Layer, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """Write ``layer`` (Curve, Notes, Events, Segments, Words) as a Sonic Visualiser layer file."""
    rate = sample_rate_for(layer, audio)
    if isinstance(layer, Curve):
        text = _curve(layer, rate)
    elif isinstance(layer, Notes):
        text = _notes(layer, rate)
    else:
        text = _regions(layer, rate)
    return [write_text(path, text)]
