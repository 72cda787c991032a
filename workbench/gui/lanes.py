"""Layer lanes under the spectrogram, time-linked to it: Events, Segments/Words, Tags, Matrix, Tracks, Curves.

Each lane is a small plot sharing the spectrogram's x axis (seconds) and axis width, so everything lines up.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from workbench.core.layers import Curve, Events, Matrix, Segments, Tags, Tracks

from .spectrogram_pane import AXIS_WIDTH
from .timeline_viewbox import TimelineViewBox


class Lane(QWidget):
    """One plot row linked in time to the spectrogram pane, with a title (and optional buttons) at the left."""

    def __init__(self, title: str, pane, height: int = 70, parent: QWidget | None = None):
        super().__init__(parent)
        self.pane = pane
        self.vb = TimelineViewBox(allow_y=False)
        self.plot = pg.PlotWidget(viewBox=self.vb)
        self.plot.hideButtons()
        self.plot.hideAxis("bottom")
        left = self.plot.getAxis("left")
        left.setWidth(AXIS_WIDTH)
        font = left.font() if hasattr(left, "font") else None
        if font is not None:
            font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
            left.setStyle(tickFont=font)
        left.setStyle(textFillLimits=[(0, 1.0)])  # class names: show every row label that fits
        self.plot.getPlotItem().setContentsMargins(0, 0, 6, 0)
        # x follows the pane only: links are two-way, so a lane auto-ranging x to its items (e.g. events in the
        # first 2 s) would zoom the spectrogram when the layer arrives
        self.vb.enableAutoRange(x=False)
        self.plot.setXLink(pane.plot)
        self.plot.setFixedHeight(height)
        self.playhead = pg.InfiniteLine(angle=90, pen=pg.mkPen("#ffd54a", width=1.5))
        self.playhead.setZValue(50)
        self.plot.addItem(self.playhead)
        self.vb.clicked.connect(pane._clicked)
        self.vb.selecting.connect(pane._selecting)
        self.vb.zoom_time.connect(pane.zoom_time)
        self.vb.scroll_time.connect(pane.scroll_time)
        self.header = QWidget(self.plot)
        hl = QHBoxLayout(self.header)
        hl.setContentsMargins(3, 1, 3, 1)
        hl.setSpacing(2)
        self.title = QLabel(title)
        self.title.setObjectName("laneTitle")
        hl.addWidget(self.title)
        self.header.move(AXIS_WIDTH + 4, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 1)
        lay.addWidget(self.plot)

    def add_button(self, text: str, tip: str, toggled: Callable[[bool], None]) -> QToolButton:
        b = QToolButton()
        b.setText(text)
        b.setToolTip(tip)
        b.setCheckable(True)
        b.setObjectName("laneButton")
        b.toggled.connect(toggled)
        self.header.layout().addWidget(b)
        self.header.adjustSize()
        return b

    def set_playhead(self, t: float) -> None:
        self.playhead.setPos(t)


def row_ticks(lane: "Lane", names: list[str]) -> None:
    """One left-axis label per row (row i centred on i + 0.5), elided to fit the axis width."""
    axis = lane.plot.getAxis("left")
    metrics = QFontMetrics(axis.style.get("tickFont") or axis.font())
    width = AXIS_WIDTH - 10
    axis.setTicks([[(i + 0.5, metrics.elidedText(n, Qt.TextElideMode.ElideRight, width))
                    for i, n in enumerate(names)]])


def _dimmed(color: QColor, alpha: int) -> QColor:
    c = QColor(color)
    c.setAlpha(alpha)
    return c


class LaneView:
    """Base renderer owning one or more lanes."""

    def __init__(self, layer, pane, color: QColor):
        self.layer, self.pane, self.color = layer, pane, QColor(color)
        self.lanes: list[Lane] = []

    def new_lane(self, title: str, height: int = 70) -> Lane:
        lane = Lane(title, self.pane, height)
        self.lanes.append(lane)
        return lane

    def set_visible(self, visible: bool) -> None:
        for lane in self.lanes:
            lane.setVisible(visible)

    def set_color(self, color: QColor) -> None:
        self.color = QColor(color)
        self.draw()

    def draw(self) -> None:
        raise NotImplementedError

    def remap(self) -> None:
        pass

    def remove(self) -> None:
        for lane in self.lanes:
            lane.setParent(None)
            lane.deleteLater()
        self.lanes.clear()


class EventsLane(LaneView):
    """One row per class; box opacity follows confidence."""

    def __init__(self, layer: Events, pane, color: QColor):
        super().__init__(layer, pane, color)
        classes = layer.classes
        self.lane = self.new_lane(layer.name, height=max(50, min(220, 22 * len(classes) + 16)))
        row_ticks(self.lane, classes)
        self.lane.vb.setYRange(0, max(1, len(classes)), padding=0.02)
        self.items: list = []
        self.draw()

    def draw(self) -> None:
        for it in self.items:
            self.lane.plot.removeItem(it)
        self.items = []
        lay = self.layer
        row = {c: i for i, c in enumerate(lay.classes)}
        if not len(lay):
            return
        strong = np.asarray(lay.confidences) >= 0.5
        for sel, alpha in ((~strong, 90), (strong, 200)):  # two opacity steps keep it to two items
            if not sel.any():
                continue
            y = np.array([row[lab] for lab in lay.labels], dtype=float)[sel]
            bars = pg.BarGraphItem(x0=lay.starts[sel], width=(lay.ends - lay.starts)[sel], y0=y + 0.12, height=0.76,
                                   brush=pg.mkBrush(_dimmed(self.color, alpha)), pen=pg.mkPen(self.color))
            self.lane.plot.addItem(bars)
            self.items.append(bars)


def speaker_color(base: QColor, index: int) -> QColor:
    """The layer's colour for the first speaker, then hues spread around the colour wheel."""
    c = QColor(base)
    if index > 0:
        c.setHsv((c.hue() + 137 * index) % 360, max(c.saturation(), 120), max(c.value(), 180))
    return c


class SegmentsLane(LaneView):
    """Text labels between boundary marks (transcript segments or words)."""

    def __init__(self, layer: Segments, pane, color: QColor):
        super().__init__(layer, pane, color)
        self.lane = self.new_lane(layer.name, height=56)
        self.lane.plot.getAxis("left").setTicks([[]])
        self.lane.vb.setYRange(0, 1, padding=0)
        self.items: list = []
        self.draw()

    def span_colors(self) -> list[QColor]:
        """One colour per span: by speaker when the transcript carries speakers (diarized), else the layer's."""
        speakers = self.layer.metadata.get("speakers")
        if not isinstance(speakers, list) or len(speakers) != len(self.layer):
            return [self.color] * len(self.layer)
        order = {name: i for i, name in enumerate(dict.fromkeys(s for s in speakers if s))}
        return [speaker_color(self.color, order[s]) if s else _dimmed(self.color, 120) for s in speakers]

    def draw(self) -> None:
        for it in self.items:
            self.lane.plot.removeItem(it)
        self.items = []
        lay = self.layer
        if not len(lay):
            return
        colors = self.span_colors()
        bars = pg.BarGraphItem(x0=lay.starts, width=lay.ends - lay.starts, y0=0.08, height=0.84,
                               brushes=[pg.mkBrush(_dimmed(c, 55)) for c in colors],
                               pens=[pg.mkPen(_dimmed(c, 200)) for c in colors])
        self.lane.plot.addItem(bars)
        self.items.append(bars)
        for s, text in zip(lay.starts, lay.texts):
            label = pg.TextItem(text.strip(), color="#eeeeee", anchor=(0, 0.5))
            label.setPos(float(s), 0.5)
            self.lane.plot.addItem(label)
            self.items.append(label)


class TagsLane(LaneView):
    """Per-frame heat map of the top labels (when the layer has frame scores)."""

    TOP = 8

    def __init__(self, layer: Tags, pane, color: QColor):
        super().__init__(layer, pane, color)
        labels = [lab for lab, _ in layer.top(self.TOP)][::-1]  # best score on the top row
        self.idx = [layer.labels.index(lab) for lab in labels]
        self.lane = self.new_lane(layer.name, height=max(60, 17 * len(labels) + 10))
        row_ticks(self.lane, labels)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.lane.plot.addItem(self.image)
        self.lane.vb.setYRange(0, max(1, len(labels)), padding=0)
        self.draw()

    def draw(self) -> None:
        lay = self.layer
        if lay.frame_scores is None or not len(lay.frame_times):
            return
        data = np.asarray(lay.frame_scores, dtype=np.float32)[:, self.idx].T  # (labels, frames)
        # square-root ramp: weak but present classes stay visible next to a dominant one
        lut = np.array([[int(c * v) for c in (self.color.red(), self.color.green(), self.color.blue())] + [255]
                        for v in 0.08 + 0.92 * np.sqrt(np.linspace(0, 1, 256))], dtype=np.ubyte)
        self.image.setImage(data, levels=(0.0, 1.0), lut=lut)
        dt = lay.frame_duration or (float(np.median(np.diff(lay.frame_times))) if len(lay.frame_times) > 1 else 1.0)
        self.image.setRect(float(lay.frame_times[0]), 0.0, float(lay.frame_times[-1] - lay.frame_times[0] + dt),
                           float(len(self.idx)))


class MatrixLane(LaneView):
    """A dense time x bins image (e.g. salience)."""

    def __init__(self, layer: Matrix, pane, color: QColor):
        super().__init__(layer, pane, color)
        self.lane = self.new_lane(f"{layer.name} ({layer.bin_unit})" if layer.bin_unit else layer.name, height=110)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.lane.plot.addItem(self.image)
        self.lane.plot.getAxis("left").setTicks([[]])
        self.draw()

    def draw(self) -> None:
        lay = self.layer
        if lay.values.size == 0:
            return
        v = lay.values.T  # (bins, times)
        finite = v[np.isfinite(v)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.image.setImage(v, levels=(lo, hi if hi > lo else lo + 1))
        dt = float(np.median(np.diff(lay.times))) if len(lay.times) > 1 else 1.0
        self.image.setRect(float(lay.times[0]), 0.0, float(lay.times[-1] - lay.times[0] + dt), float(v.shape[0]))
        self.lane.vb.setYRange(0, v.shape[0], padding=0)


class CurveLane(LaneView):
    """A curve that is not a frequency (loudness, confidence...) on its own value axis."""

    def __init__(self, layer: Curve, pane, color: QColor):
        super().__init__(layer, pane, color)
        self.lane = self.new_lane(f"{layer.name} ({layer.unit})" if layer.unit else layer.name, height=80)
        self.line = pg.PlotDataItem(connect="finite")
        self.lane.plot.addItem(self.line)
        self.lane.vb.enableAutoRange(axis="y")
        self.draw()

    def draw(self) -> None:
        self.line.setData(self.layer.times, self.layer.values, pen=pg.mkPen(self.color, width=1.5))


def envelope(samples: np.ndarray, bins: int = 4000) -> tuple[np.ndarray, np.ndarray]:
    """(min, max) of a mono signal in ``bins`` equal chunks."""
    x = np.asarray(samples, dtype=np.float32)
    n = len(x) // bins * bins
    if n < bins:
        return x, x
    blocks = x[:n].reshape(bins, -1)
    return blocks.min(axis=1), blocks.max(axis=1)


class TracksLane(LaneView):
    """One lane per track (stem, speech...), with a waveform and Mute / Solo buttons wired to the player."""

    def __init__(self, layer: Tracks, pane, color: QColor, on_mute=None, on_solo=None):
        super().__init__(layer, pane, color)
        self.curves = []
        self.mute_buttons: dict[str, QToolButton] = {}
        self.solo_buttons: dict[str, QToolButton] = {}
        for key, buf in layer.tracks.items():
            single = len(layer.tracks) == 1 and key == layer.name
            lane = self.new_lane(layer.name if single else f"{layer.name}: {key}", height=64)
            lane.plot.getAxis("left").setTicks([[]])
            if on_mute:
                self.mute_buttons[key] = lane.add_button("M", "Mute this track", lambda on, k=key: on_mute(layer, k, on))
            if on_solo:
                self.solo_buttons[key] = lane.add_button("S", "Solo this track", lambda on, k=key: on_solo(layer, k, on))
            lo, hi = envelope(buf.mono_samples)
            t = layer.offset + np.linspace(0, buf.duration, len(lo))
            upper, lower = pg.PlotDataItem(t, hi), pg.PlotDataItem(t, lo)
            fill = pg.FillBetweenItem(upper, lower)
            for it in (fill, upper, lower):
                lane.plot.addItem(it)
            peak = float(max(np.max(np.abs(hi)) if len(hi) else 0, 1e-3))
            lane.vb.setYRange(-peak, peak, padding=0.05)
            self.curves.append((upper, lower, fill))
        self.draw()

    def draw(self) -> None:
        for upper, lower, fill in self.curves:
            upper.setPen(pg.mkPen(self.color))
            lower.setPen(pg.mkPen(self.color))
            fill.setBrush(pg.mkBrush(_dimmed(self.color, 110)))


class LanesArea(QWidget):
    """The column of lanes below the spectrogram; ``lanes_changed`` when lanes come or go."""

    lanes_changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("lanesArea")
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(0)
        self.box.addStretch(1)
        self.views: list[LaneView] = []

    def add_view(self, view: LaneView, index: int | None = None) -> None:
        """Show ``view``'s lanes at the end, or before the lanes of the view now at ``index`` (an edited layer
        keeps its place)."""
        index = len(self.views) if index is None else max(0, min(index, len(self.views)))
        at = sum(len(v.lanes) for v in self.views[:index])
        self.views.insert(index, view)
        for n, lane in enumerate(view.lanes):
            self.box.insertWidget(at + n, lane)
        self.lanes_changed.emit()

    def content_height(self) -> int:
        """Height (px) all visible lanes need."""
        return sum(lane.plot.height() + 1 for v in self.views for lane in v.lanes if not lane.isHidden())

    def remove_view(self, view: LaneView) -> None:
        if view in self.views:
            self.views.remove(view)
        view.remove()
        self.lanes_changed.emit()

    def set_playhead(self, t: float) -> None:
        for v in self.views:
            for lane in v.lanes:
                lane.set_playhead(t)
