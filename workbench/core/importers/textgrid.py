"""Praat TextGrid reader (long and short text formats): interval tiers -> Segments (Words when the tier is
called words or ``kind`` says so), point tiers -> Events. Empty intervals (the silences) are left out."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from ..errors import WorkbenchError
from ..layers import Events, Layer, Segments, Words
from .common import base_kwargs, read_text

# Both formats are the same sequence of values; the long one adds "name =" keys and "[n]:" indices.
_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(<exists>|<absent>)|\[\s*\d*\s*\]'
                    r'|(?<![\w.])([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)')


def _tokens(text: str) -> list:
    out = []
    for m in _TOKEN.finditer(text):
        if m.group(1) is not None:
            out.append(m.group(1).replace('""', '"'))
        elif m.group(2) is not None:
            out.append(m.group(2))
        elif m.group(3) is not None:
            out.append(float(m.group(3)))
    return out


def read_textgrid(path: Path, kind: str | None = None) -> list[Layer]:
    text = read_text(path)
    if text.startswith("\ufeff"):
        text = text[1:]
    tok = _tokens(text)
    if tok[:2] != ["ooTextFile", "TextGrid"]:
        raise WorkbenchError(f"'{path.name}' is not a Praat TextGrid (text format)")
    try:
        pos = 4  # after the file's xmin, xmax
        if tok[pos] == "<absent>":
            return []
        count = int(tok[pos + 1])
        pos += 2
        layers: list[Layer] = []
        for _ in range(count):
            cls_name, name = tok[pos], tok[pos + 1]
            n = int(tok[pos + 4])
            pos += 5
            width = 3 if cls_name == "IntervalTier" else 2
            rows = [tok[pos + i * width: pos + (i + 1) * width] for i in range(n)]
            pos += n * width
            kw = base_kwargs(path, str(name))
            if width == 3:
                rows = [r for r in rows if str(r[2]).strip()]
                words = kind == "words" or (kind is None and "word" in str(name).lower())
                cls = Words if words else Segments
                layers.append(cls(starts=np.array([r[0] for r in rows], float),
                                  ends=np.array([r[1] for r in rows], float), texts=[str(r[2]) for r in rows], **kw))
            else:
                t = np.array([r[0] for r in rows], float)
                layers.append(Events(starts=t, ends=t, labels=[str(r[1]) for r in rows], **kw))
    except (IndexError, ValueError, TypeError) as exc:
        raise WorkbenchError(f"'{path.name}' is not a complete TextGrid: {exc}") from None
    return layers
