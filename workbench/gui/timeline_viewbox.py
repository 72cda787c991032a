"""A ViewBox with audio-editor mouse rules, shared by the spectrogram and the layer lanes.

Left click: seek. Left drag: select a time span. Middle drag or Shift+left drag: pan.
Wheel: zoom time around the mouse; Ctrl+wheel: zoom frequency; Shift+wheel: scroll time.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal


class TimelineViewBox(pg.ViewBox):
    """Emits ``clicked(t)``, ``selecting(t0, t1, finished)``, and asks its owner to zoom/scroll."""

    clicked = Signal(float)
    selecting = Signal(float, float, bool)
    zoom_time = Signal(float, float)  # factor (>1 zooms in), centre time (s)
    zoom_freq = Signal(float, float)  # factor, centre position
    scroll_time = Signal(float)  # fraction of the visible span (+ = later)

    def __init__(self, *args, allow_y: bool = True, **kw):
        super().__init__(*args, **kw)
        self.setMenuEnabled(False)
        self.allow_y = allow_y
        self._drag_start: float | None = None

    def mouseClickEvent(self, ev):
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            self.clicked.emit(float(self.mapSceneToView(ev.scenePos()).x()))
        else:
            ev.ignore()

    def mouseDragEvent(self, ev, axis=None):
        mods = ev.modifiers()
        if ev.button() == Qt.MouseButton.LeftButton and not (mods & Qt.KeyboardModifier.ShiftModifier):
            ev.accept()
            x = float(self.mapSceneToView(ev.scenePos()).x())
            if ev.isStart():
                self._drag_start = float(self.mapSceneToView(ev.buttonDownScenePos()).x())
            if self._drag_start is None:
                return
            a, b = sorted((self._drag_start, x))
            self.selecting.emit(a, b, bool(ev.isFinish()))
            if ev.isFinish():
                self._drag_start = None
            return
        if ev.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.LeftButton):
            ev.accept()
            delta = self.mapSceneToView(ev.lastScenePos()) - self.mapSceneToView(ev.scenePos())
            dy = delta.y() if self.allow_y else 0.0
            self.translateBy(QPointF(delta.x(), dy))
            return
        ev.ignore()

    def wheelEvent(self, ev, axis=None):
        mods = ev.modifiers()
        delta = ev.delta() if hasattr(ev, "delta") else ev.angleDelta().y()
        steps = delta / 120.0
        pos = self.mapSceneToView(ev.scenePos())
        if mods & Qt.KeyboardModifier.ShiftModifier:
            self.scroll_time.emit(-0.15 * steps)
        elif mods & Qt.KeyboardModifier.ControlModifier and self.allow_y:
            self.zoom_freq.emit(1.25 ** steps, float(pos.y()))
        else:
            self.zoom_time.emit(1.25 ** steps, float(pos.x()))
        ev.accept()
