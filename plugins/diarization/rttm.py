"""RTTM (NIST Rich Transcription Time Marked) for speaker turns: ``SPEAKER file 1 start dur <NA> <NA> name
<NA> <NA>``, one line per turn, times in seconds. Speaker names have their spaces replaced by '_' (RTTM fields
are space-separated)."""

from __future__ import annotations

from pathlib import Path

from workbench.core.export.atomic import write_text
from workbench.core.layers import Events


def rttm_lines(layer: Events, file_id: str) -> list[str]:
    file_id = "_".join(str(file_id).split()) or "audio"
    order = sorted(range(len(layer)), key=lambda i: (layer.starts[i], layer.ends[i]))
    out = []
    for i in order:
        start, dur = float(layer.starts[i]), float(layer.ends[i] - layer.starts[i])
        if dur <= 0:
            continue
        name = "_".join(str(layer.labels[i]).split()) or "speaker"
        out.append(f"SPEAKER {file_id} 1 {start:.3f} {dur:.3f} <NA> <NA> {name} <NA> <NA>")
    return out


def write_rttm(layer: Events, path, audio=None) -> list[Path]:
    """Write ``layer``'s turns to ``path`` (the file id is the audio's name, else the output's stem)."""
    path = Path(path)
    file_id = (getattr(audio, "name", "") or path.stem) if audio is not None else path.stem
    lines = rttm_lines(layer, Path(str(file_id)).stem)
    return [write_text(path, "".join(line + "\n" for line in lines))]


def read_rttm(path) -> list[tuple[str, float, float, str]]:
    """(file id, start s, end s, speaker) per SPEAKER line of an RTTM file."""
    out = []
    for line in Path(path).read_text().splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "SPEAKER":
            start, dur = float(f[3]), float(f[4])
            out.append((f[1], start, start + dur, f[7]))
    return out
