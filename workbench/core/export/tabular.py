"""Text tables: CSV for every layer type, tab-separated label/lab files, and NumPy ``.npz`` for matrices.

Times are written in seconds with full float precision (shortest repr that reads back exactly).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from ..audio import AudioBuffer
from ..layers import Curve, Events, Matches, Matrix, Notes, Segments, Tags
from .atomic import atomic_path, write_text


def num(x) -> str:
    """A float as the shortest text that reads back to the same value ('nan' for NaN)."""
    return repr(float(x))


def _one_line(text: str) -> str:
    # Tab/line-separated formats cannot hold tabs or new lines inside a field.
    return " ".join(str(text).split())


def _write_csv(path: Path, header: list[str], rows) -> list[Path]:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return [write_text(path, buf.getvalue())]


def _write_tsv(path: Path, rows) -> list[Path]:
    return [write_text(path, "".join("\t".join(r) + "\n" for r in rows))]


# ----- Curve --------------------------------------------------------------------------------------
def curve_header(layer: Curve) -> list[str]:
    """``time,value (Hz)``: Sonic Visualiser takes a column headed ``time`` as the times and one headed
    ``value`` as the values, even where they rise like times (a glide); the unit goes in brackets."""
    unit = layer.unit.strip()
    return ["time", f"value ({unit})" if unit else "value"]


def voiced_rows(layer: Curve) -> np.ndarray:
    """Indices of the frames to write: finite values, and for f0 only the voiced frames (unvoiced -> a gap)."""
    ok = np.isfinite(layer.times) & np.isfinite(layer.values)
    if layer.voiced is not None and len(layer.voiced) == len(layer.times):
        ok &= layer.voiced.astype(bool)
    elif layer.unit.strip().lower() == "hz":
        ok &= layer.values > 0
    return np.flatnonzero(ok)


def curve_csv(layer: Curve, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """``time,value (unit)`` rows; unvoiced frames are left out, so Sonic Visualiser, Tony and
    spreadsheets see gaps there instead of a drop to 0 Hz. Confidence and voicing travel in JAMS."""
    rows = ([num(layer.times[i]), num(layer.values[i])] for i in voiced_rows(layer))
    return _write_csv(path, curve_header(layer), rows)


def curve_lab(layer: Curve, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """time<TAB>value per line, no header, unvoiced frames left out (a time-value layer in SV)."""
    return _write_tsv(path, ([num(layer.times[i]), num(layer.values[i])] for i in voiced_rows(layer)))


# ----- Notes --------------------------------------------------------------------------------------
NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
# Sonic Visualiser's own column order for notes, without its level column: with a second value column SV 4.5
# guesses a box layer; with one it makes regions at the pitch (pick "Pitch" for column 2 to get notes).
NOTES_HEADER = ["time", "value", "duration", "label"]


def note_name(pitch: float) -> str:
    """'C4', 'A#3', 'E4+40c' for a (possibly fractional) MIDI pitch."""
    semis = int(round(float(pitch)))
    cents = int(round((float(pitch) - semis) * 100))
    name = f"{NOTE_NAMES[semis % 12]}{semis // 12 - 1}"
    return name + (f"{cents:+d}c" if cents else "")


def notes_csv(layer: Notes, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """``time,value,duration,label``: value = MIDI pitch (may be fractional), label = note name. Velocities
    travel in .mid, .svl and JAMS."""
    rows = ([num(a), num(p), num(b - a), note_name(p)] for a, b, p in zip(layer.onsets, layer.offsets, layer.pitches))
    return _write_csv(path, NOTES_HEADER, rows)


# ----- Events -------------------------------------------------------------------------------------
def events_csv(layer: Events, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """start_s,end_s,label,confidence."""
    rows = ([num(a), num(b), lab, num(c)]
            for a, b, lab, c in zip(layer.starts, layer.ends, layer.labels, layer.confidences))
    return _write_csv(path, ["start_s", "end_s", "label", "confidence"], rows)


def events_labels(layer: Events, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """Audacity label track / .lab: start<TAB>end<TAB>label per line, no header."""
    return _write_tsv(path, ([num(a), num(b), _one_line(lab)]
                             for a, b, lab in zip(layer.starts, layer.ends, layer.labels)))


# ----- Segments / Words ---------------------------------------------------------------------------
def segments_labels(layer: Segments, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """Audacity label track: start<TAB>end<TAB>text per segment or word."""
    return _write_tsv(path, ([num(a), num(b), _one_line(t)] for a, b, t in zip(layer.starts, layer.ends, layer.texts)))


def segments_csv(layer: Segments, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """start_s,end_s,text[,confidence]."""
    conf = layer.confidences if layer.confidences is not None and len(layer.confidences) == len(layer) else None
    header = ["start_s", "end_s", "text"] + (["confidence"] if conf is not None else [])
    rows = []
    for i in range(len(layer)):
        row = [num(layer.starts[i]), num(layer.ends[i]), layer.texts[i].strip()]
        if conf is not None:
            row.append(num(conf[i]))
        rows.append(row)
    return _write_csv(path, header, rows)


# ----- Tags ---------------------------------------------------------------------------------------
def frames_path(path: Path) -> Path:
    """Where the per-frame table of a Tags layer goes: ``<stem>_frames.csv`` beside ``path``."""
    return path.with_name(f"{path.stem}_frames.csv")


def tags_csv(layer: Tags, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """label,score (best first); plus ``<stem>_frames.csv`` (time_s, one column per label) if frame scores exist."""
    order = np.argsort(-layer.scores, kind="stable")
    written = _write_csv(path, ["label", "score"], ([layer.labels[i], num(layer.scores[i])] for i in order))
    if layer.frame_scores is not None and len(layer.frame_times):
        rows = ([num(t)] + [num(v) for v in row] for t, row in zip(layer.frame_times, layer.frame_scores))
        written += _write_csv(frames_path(path), ["time_s"] + list(layer.labels), rows)
    return written


# ----- Matrix -------------------------------------------------------------------------------------
def matrix_csv(layer: Matrix, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """First row: a corner cell then the bin values; then one row per frame: time, values."""
    corner = f"time_s\\{layer.bin_unit or 'bin'}"
    rows = ([num(t)] + [num(v) for v in row] for t, row in zip(layer.times, layer.values))
    return _write_csv(path, [corner] + [num(b) for b in layer.bins], rows)


def matrix_npz(layer: Matrix, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """NumPy archive with arrays times, bins, values and strings bin_unit, value_unit, name."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:  # a file object keeps numpy from appending another .npz
            np.savez_compressed(fh, times=layer.times, bins=layer.bins, values=layer.values,
                                bin_unit=np.str_(layer.bin_unit), value_unit=np.str_(layer.value_unit),
                                name=np.str_(layer.name))
    return [path]


# ----- Matches ------------------------------------------------------------------------------------
def matches_csv(layer: Matches, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """rank,item,title,score,transposition,tempo_ratio (rank 1 = best)."""
    rows = ([str(r), m.item, m.title, num(m.score), str(int(m.transposition)), num(m.tempo_ratio)]
            for r, m in enumerate(layer.matches, 1))
    return _write_csv(path, ["rank", "item", "title", "score", "transposition", "tempo_ratio"], rows)
