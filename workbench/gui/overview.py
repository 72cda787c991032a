"""Waveform overview of the whole file with the visible region marked; click or drag it to navigate."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QWidget, QVBoxLayout

from .spectrogram_pane import AXIS_WIDTH


class _OverviewBox(pg.ViewBox):
    jump = Signal(float)

    def __init__(self):
        super().__init__(enableMouse=False)
        self.setMenuEnabled(False)

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.jump.emit(float(self.mapSceneToView(ev.scenePos()).x()))

    def mouseDragEvent(self, ev, axis=None):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.jump.emit(float(self.mapSceneToView(ev.scenePos()).x()))

    def wheelEvent(self, ev, axis=None):
        ev.ignore()


class OverviewWidget(QWidget):
    """Min/max envelope of the file (computed in a worker by the provider) and the visible span."""

    navigate = Signal(float, float)  # new visible span (s)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.vb = _OverviewBox()
        self.plot = pg.PlotWidget(viewBox=self.vb)
        self.plot.setObjectName("overviewPlot")
        self.plot.hideButtons()
        self.plot.hideAxis("bottom")
        left = self.plot.getAxis("left")
        left.setWidth(AXIS_WIDTH)
        left.setTicks([[]])
        self.plot.setFixedHeight(64)
        self.plot.getPlotItem().setContentsMargins(0, 2, 6, 2)
        # One vertical min-to-max segment per bin, drawn as a single path: a filled area between two curves
        # rebuilt its path twice per update and held the GUI thread ~10 ms each time a decode preview came in.
        self.envelope = pg.PlotDataItem(pen=pg.mkPen("#4fc3f7", width=1), connect="pairs")
        self.plot.addItem(self.envelope)
        self.visible = pg.LinearRegionItem(brush=pg.mkBrush(255, 255, 255, 40), pen=pg.mkPen("#ffffffaa"))
        self.visible.setZValue(10)
        self.visible.sigRegionChanged.connect(self._region_dragged)
        self.plot.addItem(self.visible)
        self.playhead = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ffd54a"))
        self.plot.addItem(self.playhead)
        self.vb.jump.connect(self._jump)
        self.duration = 1.0
        self._updating = False
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.plot)

    def set_duration(self, duration: float) -> None:
        self.duration = max(duration, 1e-3)
        self.envelope.setData([], [])
        self.vb.setXRange(0, self.duration, padding=0)
        self.vb.setYRange(-1, 1, padding=0)

    def set_envelope(self, envelope: np.ndarray) -> None:
        """``envelope`` (2, width): min and max of the samples in each of ``width`` equal time bins."""
        env = np.asarray(envelope, dtype=np.float32)
        if env.ndim != 2 or env.shape[1] == 0:
            return
        t = np.linspace(0, self.duration, env.shape[1])
        self.envelope.setData(np.repeat(t, 2), np.stack([env[0], env[1]], axis=1).reshape(-1))
        peak = float(np.max(np.abs(env))) or 1.0
        self.vb.setXRange(0, self.duration, padding=0)
        self.vb.setYRange(-peak, peak, padding=0.05)

    def set_visible_span(self, t0: float, t1: float) -> None:
        self._updating = True
        self.visible.setRegion((t0, t1))
        self._updating = False

    def set_playhead(self, t: float) -> None:
        self.playhead.setPos(t)

    def _region_dragged(self) -> None:
        if not self._updating:
            a, b = self.visible.getRegion()
            self.navigate.emit(float(a), float(b))

    def _jump(self, t: float) -> None:
        a, b = self.visible.getRegion()
        span = b - a
        self.navigate.emit(t - span / 2, t + span / 2)
