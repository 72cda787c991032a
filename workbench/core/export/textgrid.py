"""Praat TextGrid (long text format): Words and Segments as interval tiers.

Praat wants each interval tier to cover ``xmin..xmax`` without gaps or overlaps, so the silences between
entries become intervals with empty text, and an entry that starts before the previous one ended starts at that
end instead. Several layers written together become several tiers of one TextGrid.
"""

from __future__ import annotations

from pathlib import Path

from ..audio import AudioBuffer
from ..errors import WorkbenchError
from ..layers import Layer, Segments
from .atomic import write_text
from .tabular import num


def _quote(text: str) -> str:
    return '"' + " ".join(str(text).split()).replace('"', '""') + '"'


def tier_intervals(layer: Layer, xmax: float) -> list[tuple[float, float, str]]:
    """(start, end, text) intervals tiling 0..``xmax``: the layer's entries in time order, empty text between."""
    if not isinstance(layer, Segments):
        raise WorkbenchError(f"A {layer.kind} layer cannot be a TextGrid tier (words and segments can)")
    entries = zip(layer.starts, layer.ends, layer.texts)
    out: list[tuple[float, float, str]] = []
    now = 0.0
    for a, b, text in sorted((max(0.0, float(a)), min(float(b), xmax), str(t)) for a, b, t in entries):
        a = max(a, now)
        if b <= a:
            continue  # swallowed by the previous entry
        if a > now:
            out.append((now, a, ""))
        out.append((a, b, text))
        now = b
    if xmax > now or not out:
        out.append((now, max(xmax, now), ""))
    return out


def textgrid_text(layers: list[Layer], xmax: float) -> str:
    lines = ['File type = "ooTextFile"', 'Object class = "TextGrid"', "", "xmin = 0", f"xmax = {num(xmax)}",
             "tiers? <exists>", f"size = {len(layers)}", "item []:"]
    for n, layer in enumerate(layers, 1):
        intervals = tier_intervals(layer, xmax)
        lines += [f"    item [{n}]:", '        class = "IntervalTier"', f"        name = {_quote(layer.name)}",
                  "        xmin = 0", f"        xmax = {num(xmax)}", f"        intervals: size = {len(intervals)}"]
        for i, (a, b, text) in enumerate(intervals, 1):
            lines += [f"        intervals [{i}]:", f"            xmin = {num(a)}", f"            xmax = {num(b)}",
                      f"            text = {_quote(text)}"]
    return "\n".join(lines) + "\n"


def grid_end(layers: list[Layer], audio: AudioBuffer | None) -> float:
    """The TextGrid's xmax: the audio's duration, else the latest end of any entry."""
    if audio is not None:
        return max(float(audio.duration), 0.001)
    return max([0.001] + [float(layer.time_span[1]) for layer in layers])


def write_textgrid(layers: list[Layer], path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """All ``layers`` as interval tiers of one TextGrid at ``path``."""
    return [write_text(path, textgrid_text(layers, grid_end(layers, audio)))]


def layer_textgrid(layer: Layer, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """Single-layer writer signature for the format table."""
    return write_textgrid([layer], path, audio)
