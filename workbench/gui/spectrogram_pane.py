"""The main spectrogram pane: image from background renders, playhead, selection, overlays, zoom and scroll.

Coordinates: x in seconds, y in frequency-axis positions (fractional rows of ``FrequencyAxis``; 0 = bottom).
The GUI thread only requests renders (:class:`RenderBridge`) and draws the images that come back.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, QTimer, Signal
from PySide6.QtWidgets import QScrollBar, QVBoxLayout, QWidget

from workbench.core.features.settings import DB_FLOOR

from .axes import FrequencyAxisItem, TimeAxisItem
from .render_bridge import RenderBridge
from .timeline_viewbox import TimelineViewBox

log = logging.getLogger(__name__)
AXIS_WIDTH = 64  # px; every lane uses the same so that time lines up
MIN_SPAN = 0.01  # s


def uniform_rows(db: np.ndarray, positions: np.ndarray, n_rows: int) -> tuple[np.ndarray, float, float]:
    """(image, y_bottom, y_top): rows on a uniform position grid, row k centred on position k (FrequencyAxis
    convention); rows that are not evenly spaced on the display scale are resampled onto it."""
    n = db.shape[0]
    if n >= 2:
        d = np.diff(positions)
        if np.all(d > 0) and np.allclose(d, d.mean(), rtol=1e-3, atol=1e-6):
            step = float(d.mean())
            return db, float(positions[0] - step / 2), float(positions[-1] + step / 2)
        grid = np.arange(max(n_rows, 2), dtype=np.float64)  # row k is centred on position k
        order = np.argsort(positions)
        frac = np.interp(grid, positions[order], np.arange(n))  # fractional source row of each grid row
        i0 = np.floor(frac).astype(int)
        i1 = np.minimum(i0 + 1, n - 1)
        w = (frac - i0).astype(np.float32)[:, None]
        rows = db[order]
        return rows[i0] * (1 - w) + rows[i1] * w, -0.5, len(grid) - 0.5
    return db, -0.5, max(n_rows, 1) - 0.5


class PaneViewBox(TimelineViewBox):
    """The pane's view box: in box mode (or with Ctrl held) a left drag draws a time-frequency box instead of
    a time selection; ``box_drag(t0, y0, t1, y1, finished)`` carries view coordinates (seconds, positions)."""

    box_drag = Signal(float, float, float, float, bool)

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.box_mode = False

    def mouseDragEvent(self, ev, axis=None):
        mods = ev.modifiers()
        if (ev.button() == Qt.MouseButton.LeftButton and not (mods & Qt.KeyboardModifier.ShiftModifier)
                and (self.box_mode or mods & Qt.KeyboardModifier.ControlModifier)):
            ev.accept()
            p0, p1 = self.mapSceneToView(ev.buttonDownScenePos()), self.mapSceneToView(ev.scenePos())
            self.box_drag.emit(float(p0.x()), float(p0.y()), float(p1.x()), float(p1.y()), bool(ev.isFinish()))
            return
        super().mouseDragEvent(ev, axis)


class SpectrogramPane(QWidget):
    """Spectrogram plot with a horizontal scrollbar. Signals carry seconds and Hz."""

    seek_requested = Signal(float)
    selection_changed = Signal(float, float)  # (0, 0) = no selection
    hover = Signal(float, float, float)  # time s, frequency Hz, level dB (nan outside)
    axis_changed = Signal()  # the FrequencyAxis changed: overlays must re-map
    image_updated = Signal(object)  # SpectrogramImage shown
    time_range_changed = Signal(float, float)
    render_failed = Signal(str)
    scrub_requested = Signal(float)  # the playhead is being dragged to this time (s)
    scrub_finished = Signal()
    source_changed = Signal(str)  # the name of the track shown (see set_source)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.audio = None
        self.settings = None
        self.freq_axis = None
        self.channel: int | None = None
        self.current_image = None
        self.shown_request = None  # the RenderRequest whose image is on screen
        self.source = None  # the AudioBuffer drawn (the document's audio or a track at the same rate)
        self.source_name = ""
        self.source_offset = 0.0  # s: where the shown track starts on the document clock
        self._db_top: float | None = None
        self.bridge = RenderBridge(self)
        self.bridge.ready.connect(self._on_image)
        self.bridge.failed.connect(lambda req, msg: self.render_failed.emit(msg))

        self.vb = PaneViewBox()
        self.freq_item = FrequencyAxisItem(orientation="left")
        self.freq_item.setWidth(AXIS_WIDTH)
        self.plot = pg.PlotWidget(viewBox=self.vb, axisItems={"bottom": TimeAxisItem(orientation="bottom"),
                                                              "left": self.freq_item})
        self.plot.setObjectName("spectrogramPlot")
        self.plot.hideButtons()
        self.plot.getPlotItem().setContentsMargins(0, 0, 6, 0)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-10)
        self.plot.addItem(self.image)
        # Dragging the playhead scrubs (plays short grains where it is dragged).
        self.playhead = pg.InfiniteLine(angle=90, movable=True, pen=pg.mkPen("#ffd54a", width=1.5),
                                        hoverPen=pg.mkPen("#ffe98a", width=3))
        self.playhead.setZValue(50)
        self.playhead.sigDragged.connect(lambda line: self.scrub_requested.emit(
            float(np.clip(line.value(), 0.0, self.duration()))))
        self.playhead.sigPositionChangeFinished.connect(lambda _: self.scrub_finished.emit())
        self.plot.addItem(self.playhead)
        self.region = pg.LinearRegionItem(brush=pg.mkBrush(120, 170, 255, 45), pen=pg.mkPen("#78aaff"))
        self.region.setZValue(40)
        self.region.hide()
        self.plot.addItem(self.region)
        self.region.sigRegionChangeFinished.connect(self._region_moved)

        self.placeholder = pg.TextItem("Drop an audio file here\nor use File › Open (Ctrl+O)\n"
                                       "or try Help › Examples", color="#8b8f97", anchor=(0.5, 0.5))
        self.placeholder.setPos(0.5, 0.5)
        self.plot.addItem(self.placeholder)
        self.vb.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)
        for name in ("left", "bottom"):  # no numbers until there is a file
            self.plot.getAxis(name).setStyle(showValues=False)

        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal)
        self.scrollbar.valueChanged.connect(self._scrolled)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.scrollbar)

        self._debounce = QTimer(self, singleShot=True, interval=25)
        self._debounce.timeout.connect(self.request_render)
        self.vb.sigXRangeChanged.connect(self._range_changed)
        self.vb.sigResized.connect(self._range_changed)
        self.vb.clicked.connect(self._clicked)
        self.vb.selecting.connect(self._selecting)
        self.vb.zoom_time.connect(self.zoom_time)
        self.vb.zoom_freq.connect(self.zoom_freq)
        self.vb.scroll_time.connect(self.scroll_time)
        self.plot.scene().sigMouseMoved.connect(self._mouse_moved)
        self.set_colormap("magma")

    # ----- document ----------------------------------------------------------------------------------
    def set_audio(self, audio, provider, settings) -> None:
        """Show a new file: ``provider`` renders it (in the worker), ``settings`` is a SpectrogramSettings."""
        self.audio = audio
        self.source, self.source_name, self.source_offset = audio, "", 0.0
        self.placeholder.hide()
        for name in ("left", "bottom"):
            self.plot.getAxis(name).setStyle(showValues=True)
        self.channel = None
        self.current_image = None
        self.image.clear()
        self.bridge.set_provider(provider)
        dur = max(audio.duration, MIN_SPAN)
        self.vb.setLimits(xMin=0.0, xMax=dur, minXRange=MIN_SPAN)
        self.set_time_range(0.0, dur)  # first, so that the first render is already the whole-file view
        self.set_settings(settings, keep_view=False)
        self.set_playhead(0.0)
        self.clear_selection()

    def show_nothing(self) -> None:
        """Back to the empty pane (a file that failed to open was being shown while it decoded)."""
        self.audio = self.source = self.current_image = None
        self.bridge.set_provider(None)
        self.image.clear()
        self.placeholder.show()

    def set_settings(self, settings, keep_view: bool = True) -> None:
        from workbench.core.features import FrequencyAxis

        old_axis, old_settings = self.freq_axis, self.settings
        old_range = self.vb.viewRange()[1]
        band_changed = old_settings is None or (old_settings.fmin, old_settings.fmax) != (settings.fmin, settings.fmax)
        self.settings = settings
        self._db_top = None
        self.set_colormap(settings.colormap)
        if self.audio is None:
            return
        self.freq_axis = FrequencyAxis.for_settings(settings, self.audio.sample_rate)
        self.freq_item.set_frequency_axis(self.freq_axis)
        n = float(self.freq_axis.n_rows)
        self.vb.setLimits(yMin=-0.5, yMax=n - 0.5)
        lo, hi = self._band_positions(settings)
        zoomed = old_axis is not None and (old_range[0] > -0.5 + 1 or old_range[1] < old_axis.n_rows - 0.5 - 1)
        if keep_view and zoomed and not band_changed:  # a frequency zoom survives a change of scale
            f_lo = old_axis.from_position(max(old_range[0], -0.5))
            f_hi = old_axis.from_position(min(old_range[1], old_axis.n_rows - 0.5))
            lo = float(np.clip(self.freq_axis.to_position(f_lo), -0.5, n - 0.5))
            hi = float(np.clip(self.freq_axis.to_position(f_hi), -0.5, n - 0.5))
            if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo < 1:
                lo, hi = self._band_positions(settings)
        self.vb.setYRange(lo, hi, padding=0)
        self.image.clear()
        self.current_image = None
        self.axis_changed.emit()
        self.request_render()

    def _band_positions(self, settings) -> tuple[float, float]:
        """y positions of the settings' frequency range (fmin..fmax, Nyquist when fmax is None)."""
        bottom, top = -0.5, self.freq_axis.n_rows - 0.5
        nyquist = self.audio.sample_rate / 2
        f_hi = min(settings.fmax or nyquist, nyquist)
        lo = float(np.clip(self.freq_axis.to_position(settings.fmin), bottom, top)) if settings.fmin else bottom
        hi = top if f_hi >= nyquist else float(np.clip(self.freq_axis.to_position(f_hi), bottom, top))
        if not (np.isfinite(lo) and np.isfinite(hi)) or hi - lo < 2:
            return bottom, top
        return (bottom if lo <= 0.5 else lo), hi

    def set_colormap(self, name: str) -> None:
        try:
            cmap = pg.colormap.get(name)
        except Exception:
            cmap = pg.colormap.get("magma")
        self.image.setColorMap(cmap)

    def set_channel(self, channel: int | None) -> None:
        self.channel = channel
        self.request_render()

    def set_source(self, buffer, provider, offset: float = 0.0, name: str = "") -> None:
        """Draw ``buffer`` (a track at the document's sample rate, placed ``offset`` s on the document clock)
        instead of the document's audio; the view (zoom, scroll, frequency range) does not move."""
        if self.audio is None:
            return
        self.source, self.source_offset, self.source_name = buffer, float(offset), name
        self._db_top = None
        self.current_image = None
        self.image.clear()
        self.bridge.set_provider(provider)
        self.request_render()
        self.source_changed.emit(name)

    # ----- rendering ---------------------------------------------------------------------------------
    def _range_changed(self, *args) -> None:
        t0, t1 = self.time_range()
        self._sync_scrollbar()
        self.time_range_changed.emit(t0, t1)
        self._debounce.start()

    def request_render(self) -> None:
        if self.audio is None or self.settings is None:
            return
        t0, t1 = self.time_range()
        width = max(16, int(self.vb.width() * self.devicePixelRatioF()))
        src = self.source if self.source is not None else self.audio
        off = self.source_offset
        a, b = max(0.0, t0 - off), min(src.duration, t1 - off)
        if b <= a:  # the shown track is outside the view
            self.image.clear()
            return
        # The same pixel density as the whole view, so a track that covers part of it lines up.
        width = max(16, int(round(width * (b - a) / max(t1 - t0, 1e-9))))
        self.bridge.request(self.settings, a, b, width, self._channel_shown())

    def _channel_shown(self) -> int | None:
        """The chosen channel, or the mix when the shown track has fewer channels."""
        src = self.source if self.source is not None else self.audio
        return self.channel if self.channel is not None and src is not None and self.channel < src.channels else None

    def _on_image(self, req, image) -> None:
        if req.settings != self.settings or req.channel != self._channel_shown() or self.freq_axis is None:
            return
        db = np.asarray(image.db, dtype=np.float32)
        if db.size == 0:
            return
        positions = np.asarray(self.freq_axis.to_position(np.asarray(image.freqs, dtype=np.float64)), dtype=np.float64)
        data, y0, y1 = uniform_rows(db, positions, self.freq_axis.n_rows)
        # The colour scale's top follows the loudest level seen; an image holding only the floor (nothing
        # decoded or computed under it yet) must not set it, or the floor would be drawn at full brightness.
        finite = data[np.isfinite(data) & (data > DB_FLOOR + 1.0)]
        if finite.size:
            top = float(finite.max())
            self._db_top = top if self._db_top is None else max(self._db_top, top)
        shown_top = self._db_top if self._db_top is not None else DB_FLOOR + self.settings.db_range
        self.image.setImage(data, autoLevels=False, levels=(shown_top - self.settings.db_range, shown_top))
        self.image.setRect(QRectF(float(image.t0) + self.source_offset, y0, float(image.t1 - image.t0), y1 - y0))
        self.current_image = image
        self.shown_request = req
        self.image_updated.emit(image)

    # ----- time range, zoom and scroll ---------------------------------------------------------------
    def is_up_to_date(self) -> bool:
        """True when the complete image (not a progressive preview) answering the newest request is on screen."""
        latest = self.bridge.latest
        return (self.current_image is not None and latest is not None and self.shown_request is latest
                and getattr(self.current_image, "complete", True) and not self._debounce.isActive())

    def time_range(self) -> tuple[float, float]:
        (t0, t1), _ = self.vb.viewRange()
        return float(t0), float(t1)

    def duration(self) -> float:
        return self.audio.duration if self.audio is not None else 1.0

    def set_time_range(self, t0: float, t1: float) -> None:
        dur = self.duration()
        span = min(max(t1 - t0, MIN_SPAN), dur)
        t0 = float(np.clip(t0, 0.0, max(0.0, dur - span)))
        self.vb.setXRange(t0, t0 + span, padding=0)

    def zoom_time(self, factor: float, centre: float | None = None) -> None:
        """``factor`` > 1 zooms in around ``centre`` seconds (the middle of the view by default)."""
        t0, t1 = self.time_range()
        c = (t0 + t1) / 2 if centre is None else centre
        span = (t1 - t0) / factor
        frac = (c - t0) / max(t1 - t0, 1e-9)
        self.set_time_range(c - frac * span, c - frac * span + span)

    def zoom_freq(self, factor: float, centre: float | None = None) -> None:
        _, (y0, y1) = self.vb.viewRange()
        n = self.freq_axis.n_rows if self.freq_axis else 1
        c = (y0 + y1) / 2 if centre is None else centre
        span = min(n, max(4.0, (y1 - y0) / factor))
        frac = (c - y0) / max(y1 - y0, 1e-9)
        lo = float(np.clip(c - frac * span, -0.5, n - 0.5 - span))
        self.vb.setYRange(lo, lo + span, padding=0)

    def scroll_time(self, fraction: float) -> None:
        t0, t1 = self.time_range()
        d = (t1 - t0) * fraction
        self.set_time_range(t0 + d, t1 + d)

    def scroll_freq(self, fraction: float) -> None:
        _, (y0, y1) = self.vb.viewRange()
        n = self.freq_axis.n_rows if self.freq_axis else 1
        d = (y1 - y0) * fraction
        lo = float(np.clip(y0 + d, -0.5, n - 0.5 - (y1 - y0)))
        self.vb.setYRange(lo, lo + (y1 - y0), padding=0)

    def zoom_to_selection(self) -> None:
        if self.region.isVisible():
            a, b = self.region.getRegion()
            if b - a >= MIN_SPAN:
                self.set_time_range(a, b)

    def zoom_all(self) -> None:
        self.set_time_range(0.0, self.duration())
        if self.freq_axis is not None:
            self.vb.setYRange(-0.5, self.freq_axis.n_rows - 0.5, padding=0)

    def _sync_scrollbar(self) -> None:
        t0, t1 = self.time_range()
        dur_ms = int(self.duration() * 1000)
        page = max(1, int((t1 - t0) * 1000))
        self.scrollbar.blockSignals(True)
        self.scrollbar.setRange(0, max(0, dur_ms - page))
        self.scrollbar.setPageStep(page)
        self.scrollbar.setSingleStep(max(1, page // 10))
        self.scrollbar.setValue(int(t0 * 1000))
        self.scrollbar.blockSignals(False)

    def _scrolled(self, value: int) -> None:
        t0, t1 = self.time_range()
        self.set_time_range(value / 1000.0, value / 1000.0 + (t1 - t0))

    # ----- cursor, selection, hover ------------------------------------------------------------------
    def set_playhead(self, seconds: float) -> None:
        self.playhead.setPos(seconds)

    def selection(self) -> tuple[float, float] | None:
        if not self.region.isVisible():
            return None
        a, b = self.region.getRegion()
        return (float(a), float(b)) if b - a > 0 else None

    def set_selection(self, t0: float, t1: float) -> None:
        self.region.setRegion((t0, t1))
        self.region.show()
        self.selection_changed.emit(float(t0), float(t1))

    def clear_selection(self) -> None:
        self.region.hide()
        self.selection_changed.emit(0.0, 0.0)

    def _clicked(self, t: float) -> None:
        t = float(np.clip(t, 0.0, self.duration()))
        self.clear_selection()
        self.seek_requested.emit(t)

    def _selecting(self, a: float, b: float, finished: bool) -> None:
        dur = self.duration()
        a, b = max(0.0, a), min(dur, b)
        self.region.blockSignals(True)
        self.region.setRegion((a, b))
        self.region.blockSignals(False)
        self.region.show()
        if finished:
            self.selection_changed.emit(a, b)

    def _region_moved(self) -> None:
        a, b = self.region.getRegion()
        self.selection_changed.emit(float(a), float(b))

    def level_at(self, t: float, y: float) -> float:
        """dB value of the image on screen at time ``t`` s and position ``y`` (nan outside the image)."""
        data = self.image.image
        if data is None or self.current_image is None:
            return float("nan")
        rect = self.image.mapRectToParent(self.image.boundingRect())
        if not (rect.left() <= t < rect.right() and rect.top() <= y < rect.bottom()):
            return float("nan")
        col = int((t - rect.left()) / rect.width() * data.shape[1])
        row = int((y - rect.top()) / rect.height() * data.shape[0])
        return float(data[min(row, data.shape[0] - 1), min(col, data.shape[1] - 1)])

    def _mouse_moved(self, scene_pos) -> None:
        if not self.vb.sceneBoundingRect().contains(scene_pos):
            return
        p = self.vb.mapSceneToView(scene_pos)
        hz = float("nan")
        if self.freq_axis is not None and -0.5 <= p.y() <= self.freq_axis.n_rows - 0.5:
            hz = float(self.freq_axis.from_position(p.y()))
        self.hover.emit(float(p.x()), hz, self.level_at(p.x(), p.y()))

    # ----- overlays ----------------------------------------------------------------------------------
    def add_overlay(self, item) -> None:
        self.plot.addItem(item)

    def remove_overlay(self, item) -> None:
        self.plot.removeItem(item)

    def change_settings(self, **changes) -> None:
        """Convenience: ``pane.change_settings(kind="mel")``."""
        self.set_settings(replace(self.settings, **changes))
