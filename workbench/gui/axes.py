"""Axis items: a time ruler (h:mm:ss.sss) and a frequency axis labelled in Hz on any frequency scale.

The spectrogram's y coordinate is a *position* (fractional row of the current FrequencyAxis, 0 = bottom),
so linear, log, mel and CQT scales all use the same plot; the frequency axis turns positions into Hz labels.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg


def format_time(seconds: float, precision: int = 3) -> str:
    """``m:ss.sss`` (or ``h:mm:ss.sss`` past an hour)."""
    seconds = max(0.0, float(seconds))
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    sec = f"{s:0{3 + precision if precision else 2}.{precision}f}"
    return f"{int(h)}:{int(m):02d}:{sec}" if h >= 1 else f"{int(m)}:{sec}"


def format_hz(hz: float) -> str:
    if not np.isfinite(hz):
        return ""
    return f"{hz / 1000:.3g}k" if hz >= 1000 else f"{hz:.3g}"


def note_name(hz: float) -> str:
    """Nearest equal-tempered note and the deviation in cents, e.g. ``A4 +3c``."""
    from workbench.core.spectrum import note_and_cents

    name, cents = note_and_cents(hz)
    return name + (f" {cents:+d}c" if name and cents else "")


def note_frequencies(lo_hz: float, hi_hz: float, max_ticks: int) -> list[float]:
    """Equal-tempered note frequencies between two bounds: every C, or every 6th / 3rd / 2nd semitone or every
    semitone when zoomed in far enough to fit them (at most about ``max_ticks``)."""
    if not (lo_hz > 0 and hi_hz > lo_hz):
        return []
    m_lo, m_hi = math.ceil(69 + 12 * math.log2(lo_hz / 440.0)), math.floor(69 + 12 * math.log2(hi_hz / 440.0))
    step = next((s for s in (1, 2, 3, 6, 12, 24, 36) if (m_hi - m_lo) / s <= max_ticks), 48)
    return [440.0 * 2 ** ((m - 69) / 12) for m in range(m_lo, m_hi + 1) if m % step == 0]


def _precision(spacing: float) -> int:
    return 0 if spacing >= 1 else (1 if spacing >= 0.1 else (2 if spacing >= 0.01 else 3))


class TimeAxisItem(pg.AxisItem):
    """Time ruler in minutes:seconds; every label uses the precision of the finest tick level shown."""

    _finest = 1.0

    def tickValues(self, minVal, maxVal, size):
        levels = super().tickValues(minVal, maxVal, size)
        self._finest = min((spacing for spacing, vals in levels if len(vals)), default=1.0)
        return levels

    def tickStrings(self, values, scale, spacing):
        precision = _precision(min(spacing, self._finest))
        return [format_time(v, precision) for v in values]


_NICE = (1.0, 2.0, 5.0)


def nice_frequencies(lo_hz: float, hi_hz: float, max_ticks: int) -> list[float]:
    """Round frequencies (1-2-5 steps per decade) between two bounds, at most about ``max_ticks`` of them."""
    lo_hz, hi_hz = max(lo_hz, 1.0), max(hi_hz, 2.0)
    out: list[float] = []
    for dec in range(int(math.floor(math.log10(lo_hz))), int(math.ceil(math.log10(hi_hz))) + 1):
        for n in _NICE:
            f = n * 10 ** dec
            if lo_hz <= f <= hi_hz:
                out.append(f)
    if len(out) > max_ticks:
        step = math.ceil(len(out) / max_ticks)
        out = out[::step]
    return out


class FrequencyAxisItem(pg.AxisItem):
    """Left axis of the spectrogram: positions in, Hz labels out (uses FrequencyAxis.from/to_position)."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.freq_axis = None
        self.note_labels = False  # label the axis with note names (C4, A4...) instead of Hz
        self.setLabel("Hz")

    def set_note_labels(self, on: bool) -> None:
        self.note_labels = bool(on)
        self.setLabel("note" if on else "Hz")
        self.picture = None
        self.update()

    def set_frequency_axis(self, freq_axis) -> None:
        self.freq_axis = freq_axis
        self.picture = None
        self.update()

    def tickValues(self, minVal, maxVal, size):
        fa = self.freq_axis
        if fa is None or maxVal <= minVal:
            return super().tickValues(minVal, maxVal, size)
        lo = float(fa.from_position(max(minVal, -0.5)))
        hi = float(fa.from_position(min(maxVal, fa.n_rows - 0.5)))
        if not (np.isfinite(lo) and np.isfinite(hi)) or hi <= lo:
            return []
        max_ticks = max(2, int(size / 28))
        # Linear scales (or narrow ranges) get evenly spaced ticks, log-like scales get 1-2-5 per decade.
        mid = (minVal + maxVal) / 2
        linear = abs(float(fa.from_position(mid)) - (lo + hi) / 2) < 0.02 * (hi - lo)
        if self.note_labels:
            freqs = note_frequencies(max(lo, 16.0), hi, max_ticks)
        elif linear or hi / max(lo, 1.0) < 4:
            levels = super().tickValues(lo, hi, size)
            freqs = [f for f in (levels[0][1] if levels else []) if lo <= f <= hi]
        else:
            freqs = nice_frequencies(lo, hi, max_ticks)
        pos = [float(fa.to_position(f)) for f in freqs]
        keep, last = [], -1e9
        for p in pos:  # drop labels that would overlap
            if p - last >= (maxVal - minVal) * 16 / max(size, 1):
                keep.append(p)
                last = p
        return [(1.0, keep)]

    def tickStrings(self, values, scale, spacing):
        if self.freq_axis is None:
            return super().tickStrings(values, scale, spacing)
        if self.note_labels:
            from workbench.core.spectrum import note_and_cents

            return [note_and_cents(float(self.freq_axis.from_position(v)))[0] for v in values]
        return [format_hz(round(float(self.freq_axis.from_position(v)), 1)) for v in values]
