"""SubRip (.srt) and WebVTT (.vtt) readers: one Segments layer (or Words) with a segment per cue."""

from __future__ import annotations

import html
import re
from pathlib import Path

import numpy as np

from ..errors import WorkbenchError
from ..layers import Layer, Segments, Words
from .common import base_kwargs, read_text

_TIME = r"(?:(\d+):)?(\d{1,2}):(\d{2})[,.](\d{1,3})"
_TIMING = re.compile(rf"^\s*{_TIME}\s*-->\s*{_TIME}")


def _seconds(h, m, s, ms) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms.ljust(3, "0")) / 1000.0


def _cues(text: str, path: Path, vtt: bool) -> list[tuple[float, float, str]]:
    cues = []
    for block in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line for line in block.split("\n") if line.strip()]
        at = next((i for i, line in enumerate(lines) if "-->" in line), None)
        if at is None:
            continue  # a cue number alone, the WEBVTT header, NOTE and STYLE blocks
        m = _TIMING.match(lines[at])
        if m is None:
            raise WorkbenchError(f"'{path.name}': '{lines[at].strip()}' is not a cue timing line")
        g = m.groups()
        body = " ".join(line.strip() for line in lines[at + 1:])
        if vtt:
            body = html.unescape(re.sub(r"<[^>]+>", "", body))  # voice/class tags, then &amp; &lt; ...
        if body:  # an empty cue holds nothing (our empty .srt is one)
            cues.append((_seconds(*g[:4]), _seconds(*g[4:]), body))
    return cues


def read_subtitles(path: Path, kind: str | None = None) -> list[Layer]:
    text = read_text(path)
    vtt = path.suffix.lower() == ".vtt"
    if vtt and not text.lstrip().startswith("WEBVTT"):
        raise WorkbenchError(f"'{path.name}' is not WebVTT: it does not start with 'WEBVTT'")
    cues = _cues(text, path, vtt)
    cls = Words if kind == "words" else Segments
    return [cls(starts=np.array([c[0] for c in cues]), ends=np.array([c[1] for c in cues]),
                texts=[c[2] for c in cues], **base_kwargs(path))]
