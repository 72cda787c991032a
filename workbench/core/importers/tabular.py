"""Readers for the text tables we write: CSV (the kind from the header row), ``.lab`` (time<TAB>value, or
start<TAB>end<TAB>label as in chord/segment labs) and Audacity label tracks (``.txt``).

Also reads the CSV columns of earlier versions (``time_s,value,...``, ``onset_s,offset_s,pitch_midi,velocity``)
and Sonic Visualiser's own CSV exports of time-value, note and region layers.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np

from ..errors import WorkbenchError
from ..layers import Curve, Events, Layer, Match, Matches, Matrix, Notes, Segments, Tags, Words
from .common import base_kwargs, read_text


def _float(text: str, path: Path, line: int) -> float:
    try:
        return float(text)
    except ValueError:
        raise WorkbenchError(f"'{path.name}' line {line}: '{text}' is not a number") from None


def _columns(rows: list[list[str]], path: Path, names: list[int]) -> list[np.ndarray]:
    return [np.array([_float(r[i], path, n) for n, r in enumerate(rows, 2)], dtype=np.float64) for i in names]


def _unit(heading: str) -> str:
    m = re.search(r"\(([^)]*)\)\s*$", heading)
    return m.group(1).strip() if m else ""


def read_csv(path: Path, kind: str | None = None) -> list[Layer]:
    """One layer from a CSV file with a header row; which kind it is follows from the column names."""
    text = read_text(path)
    rows = [r for r in csv.reader(text.splitlines()) if r and any(c.strip() for c in r)]
    if not rows:
        raise WorkbenchError(f"'{path.name}' is empty: there is no annotation to import")
    header = [h.strip().lower() for h in rows[0]]
    body = rows[1:]
    width = len(header)
    for n, r in enumerate(body, 2):
        if len(r) < width:
            raise WorkbenchError(f"'{path.name}' line {n}: {len(r)} columns where the header has {width}")
    kw = base_kwargs(path)
    first = header[0] if header else ""
    if header == ["label", "score"]:
        return [_tags(path, body, kw)]
    if first.startswith("time_s\\"):
        return [_matrix(path, rows, kw)]
    if header[:2] == ["rank", "item"]:
        return [Matches(matches=[Match(item=r[1], title=r[2], score=float(r[3]), transposition=int(r[4]),
                                       tempo_ratio=float(r[5])) for r in body], **kw)]
    if first in ("time", "time_s") and width >= 2 and header[1].split(" ")[0] in ("value", "frequency") \
            and "duration" not in header:
        unit = "Hz" if header[1] == "frequency" else _unit(rows[0][1])
        t, v = _columns(body, path, [0, 1])
        conf = _columns(body, path, [header.index("confidence")])[0] if "confidence" in header else None
        voiced = None
        if "voiced" in header:
            voiced = np.array([r[header.index("voiced")].strip() not in ("0", "false", "") for r in body])
        return [Curve(times=t, values=v, unit=unit, confidence=conf, voiced=voiced, **kw)]
    if header[:4] in (["time", "value", "duration", "label"], ["time", "value", "duration", "level"]) \
            and kind is None and _looks_like_notes(body, header):  # ours (note names), and SV's note export
        on, pitch, dur = _columns(body, path, [0, 1, 2])
        vel = np.round(_columns(body, path, [3])[0] * 127.0, 6) if header[3] == "level" else None
        return [Notes(onsets=on, offsets=np.round(on + dur, 9), pitches=pitch, velocities=vel, **kw)]
    if header[:4] == ["onset_s", "offset_s", "pitch_midi", "velocity"]:
        on, off, pitch, vel = _columns(body, path, [0, 1, 2, 3])
        return [Notes(onsets=on, offsets=off, pitches=pitch, velocities=vel, **kw)]
    if header[:3] == ["time", "value", "duration"] and "label" in header:  # SV region export
        a, value, dur = _columns(body, path, [0, 1, 2])
        labels = [r[header.index("label")] for r in body]
        return [_spans(a, np.round(a + dur, 9), labels, value, kind or "events", kw)]
    if header[:2] == ["start_s", "end_s"] and width >= 3 and header[2] in ("label", "text"):
        a, b = _columns(body, path, [0, 1])
        labels = [r[2] for r in body]
        conf = _columns(body, path, [header.index("confidence")])[0] if "confidence" in header else None
        default = "events" if header[2] == "label" else "segments"
        return [_spans(a, b, labels, conf, kind or default, kw)]
    raise WorkbenchError(f"'{path.name}': the CSV columns ({', '.join(rows[0])}) are not a layer this program "
                         "writes (see README, Annotation formats)")


def _looks_like_notes(body: list[list[str]], header: list[str]) -> bool:
    """Our notes CSV labels every row with its note name; SV's note export has a level column."""
    if header[3] == "level":
        return True
    from workbench.core.export.tabular import note_name

    try:
        return all(r[3] == note_name(float(r[1])) for r in body)
    except ValueError:
        return False


def _spans(starts, ends, labels, conf, kind: str, kw) -> Layer:
    if kind == "events":
        return Events(starts=starts, ends=ends, labels=labels, confidences=conf, **kw)
    cls = Words if kind == "words" else Segments
    return cls(starts=starts, ends=ends, texts=labels, confidences=conf, **kw)


def _tags(path: Path, body: list[list[str]], kw) -> Tags:
    labels = [r[0] for r in body]
    scores = np.array([_float(r[1], path, n) for n, r in enumerate(body, 2)])
    frames = path.with_name(f"{path.stem}_frames.csv")
    extra = {}
    if frames.is_file():  # per-frame scores written beside it
        rows = [r for r in csv.reader(read_text(frames).splitlines()) if r]
        cols = [rows[0][1:].index(label) + 1 for label in labels]
        table = np.array([[float(x) for x in r] for r in rows[1:]], dtype=np.float64).reshape(-1, len(rows[0]))
        times = table[:, 0]
        extra = {"frame_times": times, "frame_scores": table[:, cols],
                 "frame_duration": float(np.median(np.diff(times))) if len(times) > 1 else 0.0}
    return Tags(labels=labels, scores=scores, **extra, **kw)


def _matrix(path: Path, rows: list[list[str]], kw) -> Matrix:
    corner = rows[0][0].split("\\", 1)[1]
    table = np.array([[float(x) for x in r] for r in rows[1:]], dtype=np.float64).reshape(-1, len(rows[0]))
    return Matrix(times=table[:, 0], bins=[float(b) for b in rows[0][1:]], values=table[:, 1:],
                  bin_unit="" if corner == "bin" else corner, **kw)


def _tab_rows(path: Path) -> list[tuple[int, list[str]]]:
    out = []
    for n, line in enumerate(read_text(path).splitlines(), 1):
        if not line.strip() or line.startswith("\\"):  # Audacity writes a "\ f0 f1" line under spectral labels
            continue
        out.append((n, line.split("\t") if "\t" in line else line.split(None, 2)))
    return out


def read_labels(path: Path, kind: str | None = None) -> list[Layer]:
    """An Audacity label track (start<TAB>end<TAB>label) as Events, or as Segments/Words when ``kind`` says so."""
    starts, ends, labels = [], [], []
    for n, parts in _tab_rows(path):
        if len(parts) < 2:
            raise WorkbenchError(f"'{path.name}' line {n} is not 'start<TAB>end<TAB>label'")
        starts.append(_float(parts[0], path, n))
        ends.append(_float(parts[1], path, n))
        labels.append(parts[2].strip() if len(parts) > 2 else "")
    return [_spans(np.array(starts), np.array(ends), labels, None, kind or "events", base_kwargs(path))]


def read_lab(path: Path, kind: str | None = None) -> list[Layer]:
    """``time<TAB>value`` (a curve), or ``start<TAB>end<TAB>label`` lines (events)."""
    rows = _tab_rows(path)
    if rows and len(rows[0][1]) >= 3:
        return read_labels(path, kind)
    t = np.array([_float(p[0], path, n) for n, p in rows])
    v = np.array([_float(p[1], path, n) if len(p) > 1 else np.nan for n, p in rows])
    return [Curve(times=t, values=v, **base_kwargs(path))]
