"""Measuring on the spectrogram: a time-frequency box with its readout (Δt, Δf, f1/f2, the interval in
semitones and cents), and a harmonic cursor (k·f0 marks while hovering).

The box is drawn by dragging in box mode (M) or with Ctrl+drag; it is also the time-frequency selection that
band-limited playback and "run on the box" use (see ``band_select``). Everything is kept in seconds and Hz and
re-mapped when the frequency axis changes, so it stays put on every scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, QRectF, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import QGraphicsRectItem

from workbench.core.spectrum import interval, note_and_cents

INTERVAL_NAMES = ("unison", "minor second", "major second", "minor third", "major third", "perfect fourth",
                  "tritone", "perfect fifth", "minor sixth", "major sixth", "minor seventh", "major seventh")


def interval_name(semitones: int) -> str:
    octaves, rest = divmod(abs(semitones), 12)
    if rest == 0 and octaves:
        return "octave" if octaves == 1 else f"{octaves} octaves"
    name = INTERVAL_NAMES[rest]
    return name + (f" + {octaves} octave{'s' if octaves > 1 else ''}" if octaves else "")


@dataclass(frozen=True)
class TimeFrequencyBox:
    """A box on the spectrogram: ``t0``..``t1`` seconds (document clock) by ``f_lo``..``f_hi`` Hz."""

    t0: float
    t1: float
    f_lo: float
    f_hi: float

    @property
    def duration(self) -> float:
        return self.t1 - self.t0

    def readout(self) -> str:
        """The measurements as text (also what Copy puts on the clipboard)."""
        lines = [f"Δt {self.duration:.3f} s  ({self.t0:.3f} – {self.t1:.3f} s)",
                 f"Δf {self.f_hi - self.f_lo:.1f} Hz"]
        for label, f in (("f1", self.f_lo), ("f2", self.f_hi)):
            name, cents = note_and_cents(f)
            lines.append(f"{label} {f:.1f} Hz  ({name} {cents:+d} c)" if name else f"{label} {f:.1f} Hz")
        if self.f_lo > 0:
            st, whole, cents = interval(self.f_lo, self.f_hi)
            lines.append(f"interval {st:.2f} st = {whole} st {cents:+d} c ({interval_name(whole)}),"
                         f" ratio {self.f_hi / self.f_lo:.3f}")
        return "\n".join(lines)


class MeasureTool(QObject):
    """The box tool on a SpectrogramPane. ``box_changed(box or None)``."""

    box_changed = Signal(object)

    def __init__(self, pane, parent: QObject | None = None):
        super().__init__(parent)
        self.pane = pane
        self.box: TimeFrequencyBox | None = None
        self.rect = QGraphicsRectItem()
        self.rect.setPen(pg.mkPen("#7CFC00", width=1.5))
        self.rect.setBrush(pg.mkBrush(124, 252, 0, 35))
        self.rect.setZValue(45)
        self.rect.hide()
        self.label = pg.TextItem("", color="#e8ffe0", fill=pg.mkBrush(0, 0, 0, 170), anchor=(0, 1))
        self.label.setZValue(46)
        self.label.hide()
        pane.add_overlay(self.rect)
        pane.add_overlay(self.label)
        pane.vb.box_drag.connect(self._dragged)
        pane.axis_changed.connect(self._remap)

    # ----- mode and box -------------------------------------------------------------------------------
    def set_box_mode(self, on: bool) -> None:
        """In box mode a left drag draws a box (otherwise Ctrl+drag does)."""
        self.pane.vb.box_mode = bool(on)

    @property
    def box_mode(self) -> bool:
        return self.pane.vb.box_mode

    def _dragged(self, x0: float, y0: float, x1: float, y1: float, finished: bool) -> None:
        fa = self.pane.freq_axis
        if fa is None:
            return
        dur = self.pane.duration()
        t0, t1 = sorted((float(np.clip(x0, 0, dur)), float(np.clip(x1, 0, dur))))
        top = fa.n_rows - 0.5
        f = sorted(float(fa.from_position(float(np.clip(y, -0.5, top)))) for y in (y0, y1))
        self.set_box(TimeFrequencyBox(t0, t1, max(0.0, f[0]), f[1]), emit=finished)

    def set_box(self, box: TimeFrequencyBox | None, emit: bool = True) -> None:
        self.box = box
        self._remap()
        if emit:
            self.box_changed.emit(box)

    def clear(self) -> None:
        self.set_box(None)

    def _remap(self) -> None:
        fa, box = self.pane.freq_axis, self.box
        if box is None or fa is None:
            self.rect.hide()
            self.label.hide()
            return
        y0, y1 = (float(fa.to_position(max(f, 1e-3))) for f in (box.f_lo, box.f_hi))
        self.rect.setRect(QRectF(box.t0, y0, box.duration, y1 - y0))
        self.rect.show()
        self.label.setText(self.readout_text())
        self.label.setPos(box.t1, y1)
        self.label.show()

    def readout_text(self) -> str:
        return self.box.readout() if self.box is not None else ""

    def copy(self) -> str:
        """Put the readout on the clipboard (and return it)."""
        text = self.readout_text()
        if text:
            QGuiApplication.clipboard().setText(text)
        return text


class HarmonicCursor(QObject):
    """While hovering, marks k·f0 (k = 1..count) around the mouse: f0 is the frequency under the mouse."""

    def __init__(self, pane, count: int = 8, parent: QObject | None = None):
        super().__init__(parent)
        self.pane = pane
        self.count = count
        self.enabled = False
        self.f0: float | None = None
        self.t: float = 0.0
        self.lines = pg.PlotDataItem(connect="pairs", pen=pg.mkPen(QColor(255, 255, 255, 210), width=1.5))
        self.lines.setZValue(48)
        self.labels: list[pg.TextItem] = []
        pane.add_overlay(self.lines)
        pane.hover.connect(self._hover)
        pane.axis_changed.connect(self._draw)

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        self._draw()

    def set_count(self, n: int) -> None:
        self.count = max(1, int(n))
        self._draw()

    def harmonics(self) -> list[float]:
        """The marked frequencies in Hz (below Nyquist), empty when off or not hovering."""
        if not self.enabled or not self.f0 or self.pane.audio is None:
            return []
        nyq = self.pane.audio.sample_rate / 2
        return [k * self.f0 for k in range(1, self.count + 1) if k * self.f0 < nyq]

    def _hover(self, t: float, hz: float, db: float) -> None:
        self.t, self.f0 = float(t), (float(hz) if hz == hz and hz > 0 else None)
        if self.enabled:
            self._draw()

    def _draw(self) -> None:
        for lab in self.labels:
            self.pane.remove_overlay(lab)
        self.labels = []
        fa, freqs = self.pane.freq_axis, self.harmonics()
        if fa is None or not freqs:
            self.lines.setData([], [])
            return
        t0, t1 = self.pane.time_range()
        half = 0.04 * (t1 - t0)
        y = np.repeat(np.asarray(fa.to_position(np.asarray(freqs)), dtype=np.float64), 2)
        x = np.tile([self.t - half, self.t + half], len(freqs))
        self.lines.setData(x, y)
        vb, last = self.pane.vb, None
        for k, yk in enumerate(y[::2], 1):
            py = vb.mapViewToScene(pg.Point(self.t, float(yk))).y()
            if last is not None and abs(py - last) < 13:  # keep numbers readable where harmonics crowd
                continue
            last = py
            lab = pg.TextItem(f"{k}" if k > 1 else f"f0 {freqs[0]:.1f} Hz", color="#ffffff", anchor=(0, 0.5))
            lab.setPos(self.t + half, float(yk))
            lab.setZValue(48)
            self.pane.add_overlay(lab)
            self.labels.append(lab)
