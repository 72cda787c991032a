"""Layer renderers drawn over the spectrogram: Curve (e.g. f0) and Notes (piano-roll boxes).

Both map Hz to the pane's y positions with ``FrequencyAxis.to_position`` and re-map whenever the
frequency axis changes (STFT/mel/CQT, scale, range), so they sit on the right frequency on every scale.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from workbench.core.layers import Curve, Notes


def midi_to_hz(pitch: np.ndarray) -> np.ndarray:
    return 440.0 * 2.0 ** ((np.asarray(pitch, dtype=np.float64) - 69.0) / 12.0)


def curve_is_frequency(layer: Curve) -> bool:
    """Curves in Hz are drawn over the spectrogram; other units get a lane of their own."""
    return layer.unit.strip().lower() in ("hz", "hertz")


class OverlayView:
    """Base: owns plot items on the spectrogram pane; ``remap`` after an axis change."""

    def __init__(self, layer, pane, color: QColor):
        self.layer, self.pane, self.color = layer, pane, QColor(color)
        self.items: list = []
        self.visible = True
        pane.axis_changed.connect(self.remap)

    def _add(self, item) -> None:
        self.items.append(item)
        self.pane.add_overlay(item)

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        for it in self.items:
            it.setVisible(visible)

    def set_color(self, color: QColor) -> None:
        self.color = QColor(color)
        self.remap()

    def remap(self) -> None:
        raise NotImplementedError

    def remove(self) -> None:
        try:
            self.pane.axis_changed.disconnect(self.remap)
        except (RuntimeError, TypeError):
            pass
        for it in self.items:
            self.pane.remove_overlay(it)
        self.items.clear()


class CurveOverlay(OverlayView):
    """f0-like curve: unvoiced frames (voiced False, value <= 0 or NaN) leave gaps."""

    def __init__(self, layer: Curve, pane, color: QColor):
        super().__init__(layer, pane, color)
        self.line = pg.PlotDataItem(connect="finite", name=layer.name)
        self.line.setZValue(20)
        self._add(self.line)
        self.remap()

    def hz_values(self) -> np.ndarray:
        v = np.array(self.layer.values, dtype=np.float64)
        v[~(v > 0)] = np.nan
        if self.layer.voiced is not None and len(self.layer.voiced) == len(v):
            v[~self.layer.voiced] = np.nan
        return v

    def remap(self) -> None:
        fa = self.pane.freq_axis
        if fa is None:
            return
        hz = self.hz_values()
        pos = np.full_like(hz, np.nan)
        ok = np.isfinite(hz)
        if ok.any():
            pos[ok] = np.asarray(fa.to_position(hz[ok]), dtype=np.float64)
        self.line.setData(np.asarray(self.layer.times, dtype=np.float64), pos, connect="finite")
        self.line.setPen(pg.mkPen(self.color, width=2.5))
        self.line.setShadowPen(pg.mkPen(QColor(0, 0, 0, 160), width=4.5))


class NotesOverlay(OverlayView):
    """Piano-roll boxes one semitone high, centred on each note's pitch; opacity follows velocity."""

    def __init__(self, layer: Notes, pane, color: QColor):
        super().__init__(layer, pane, color)
        self.bars = None
        self.remap()

    def remap(self) -> None:
        fa = self.pane.freq_axis
        if fa is None:
            return
        if self.bars is not None:
            self.pane.remove_overlay(self.bars)
            self.items.remove(self.bars)
        hz = midi_to_hz(self.layer.pitches)
        lo = np.asarray(fa.to_position(hz * 2 ** (-1 / 24)), dtype=np.float64)
        hi = np.asarray(fa.to_position(hz * 2 ** (1 / 24)), dtype=np.float64)
        hi = np.maximum(hi, lo + 0.8)  # keep boxes visible on coarse (mel/linear) scales
        fill = QColor(self.color)
        fill.setAlpha(90)
        self.bars = pg.BarGraphItem(x0=self.layer.onsets, width=self.layer.offsets - self.layer.onsets, y0=lo,
                                    height=hi - lo, brush=pg.mkBrush(fill), pen=pg.mkPen(self.color, width=1.2))
        self.bars.setZValue(15)
        self.bars.setVisible(self.visible)
        self._add(self.bars)

    def box_positions(self) -> tuple[np.ndarray, np.ndarray]:
        """(bottom, top) y positions of every box, for tests and hit-testing."""
        o = self.bars.opts
        y0 = np.asarray(o["y0"], dtype=np.float64)
        return y0, y0 + np.asarray(o["height"], dtype=np.float64)
