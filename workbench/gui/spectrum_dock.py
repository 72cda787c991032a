"""Spectrum dock: the spectrum at the playhead or the mouse, or the mean spectrum of the selection, in dB against
frequency on a linear, log or note axis, for sources A and B overlaid (original vs a stem, before vs after),
with the peak of each in Hz, note and cents.

The spectra are computed off the GUI thread (``workbench.core.spectrum``, one worker, newest request wins), so
following the playhead at display rate never stalls playback or drawing.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.core.errors import WorkbenchError

from .axes import nice_frequencies, note_frequencies

log = logging.getLogger(__name__)
MODES = (("Playhead", "playhead"), ("Mouse", "mouse"), ("Selection (mean)", "selection"))
AXES = (("Linear Hz", "linear"), ("Log Hz", "log"), ("Notes", "note"))
FFT_SIZES = (1024, 2048, 4096, 8192, 16384)
COLORS = ("#00e5ff", "#ff4081")
NONE = "(none)"


def to_x(hz: np.ndarray, axis: str) -> np.ndarray:
    """Plot x of frequencies on the chosen axis: Hz, log10(Hz) or MIDI note number."""
    hz = np.asarray(hz, dtype=np.float64)
    if axis == "linear":
        return hz
    safe = np.maximum(hz, 1e-3)
    return np.log10(safe) if axis == "log" else 69 + 12 * np.log2(safe / 440.0)


def from_x(x: float, axis: str) -> float:
    if axis == "linear":
        return float(x)
    return float(10 ** x) if axis == "log" else float(440.0 * 2 ** ((x - 69) / 12))


class SpectrumFrequencyAxis(pg.AxisItem):
    """Bottom axis labelled in Hz (linear or log) or with note names."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.mode = "log"

    def tickValues(self, minVal, maxVal, size):
        if self.mode == "linear" or maxVal <= minVal:
            return super().tickValues(minVal, maxVal, size)
        lo, hi = from_x(minVal, self.mode), from_x(maxVal, self.mode)
        n = max(2, int(size / 60))
        freqs = note_frequencies(lo, hi, n) if self.mode == "note" else nice_frequencies(lo, hi, n)
        return [(1.0, [float(to_x(f, self.mode)) for f in freqs])]

    def tickStrings(self, values, scale, spacing):
        from workbench.core.spectrum import note_and_cents

        if self.mode == "note":
            return [note_and_cents(from_x(v, "note"))[0] for v in values]
        out = []
        for v in values:
            hz = from_x(v, self.mode)
            out.append(f"{hz / 1000:g}k" if hz >= 1000 else f"{hz:g}")
        return out


class SpectrumDock(QWidget):
    """Signals: ``computed(results)`` after each update (GUI thread), results = {"A": (Spectrum, Peak), ...}."""

    computed = Signal(object)
    _delivered = Signal(object, object)  # (request key, results) from the worker

    def __init__(self, sources, pane, playback, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("spectrumDock")
        self.sources, self.pane, self.playback = sources, pane, playback
        self.results: dict = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spectrum")
        self._lock = threading.Lock()
        self._busy = False
        self._wanted = None  # newest request key
        self._next = None  # (key, jobs) waiting for the worker
        self._shown = None
        self._mouse_t = 0.0
        self._closed = False

        self.mode = self._combo(MODES, "What the spectrum is of")
        self.source_a = QComboBox()
        self.source_a.setToolTip("Source A (cyan)")
        self.source_b = QComboBox()
        self.source_b.setToolTip("Source B (magenta), overlaid for comparison")
        self.axis = self._combo(AXES, "Frequency axis")
        self.axis.setCurrentIndex(1)
        self.n_fft = QComboBox()
        self.n_fft.setToolTip("FFT size: longer is finer in frequency, coarser in time")
        for n in FFT_SIZES:
            self.n_fft.addItem(str(n), n)
        self.n_fft.setCurrentIndex(FFT_SIZES.index(4096))
        self.copy_button = QPushButton("Copy")
        self.copy_button.setToolTip("Copy the peak readout as text")
        self.copy_button.clicked.connect(self.copy_readout)

        self.freq_axis = SpectrumFrequencyAxis(orientation="bottom")
        self.plot = pg.PlotWidget(axisItems={"bottom": self.freq_axis})
        self.plot.setObjectName("spectrumPlot")
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=True, y=True, alpha=0.15)
        self.plot.setLabel("left", "dB")
        self.plot.setMinimumHeight(150)
        self.curves = {k: self.plot.plot(pen=pg.mkPen(c, width=1.6)) for k, c in zip("AB", COLORS)}
        self.peaks = {k: pg.ScatterPlotItem(size=9, brush=pg.mkBrush(c), pen=pg.mkPen("#000")) for k, c in
                      zip("AB", COLORS)}
        for p in self.peaks.values():
            p.setZValue(10)
            self.plot.addItem(p)
        self.readout = QLabel("–")
        self.readout.setObjectName("spectrumReadout")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setWordWrap(True)

        top = QHBoxLayout()
        for label, w in (("At", self.mode), ("A", self.source_a), ("B", self.source_b), ("Axis", self.axis),
                         ("FFT", self.n_fft)):
            top.addWidget(QLabel(label))
            top.addWidget(w)
        top.addStretch(1)
        top.addWidget(self.copy_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.readout)

        self._delivered.connect(self._on_delivered, Qt.ConnectionType.QueuedConnection)
        for c in (self.mode, self.source_a, self.source_b, self.n_fft):
            c.currentIndexChanged.connect(lambda _=0: self.update_spectrum())
        self.axis.currentIndexChanged.connect(lambda _=0: self._draw())
        sources.changed.connect(self.refresh_sources)
        playback.position.connect(lambda _t: self._follow("playhead"))
        pane.hover.connect(self._hovered)
        pane.selection_changed.connect(lambda a, b: self._follow("selection"))
        self.refresh_sources()

    @staticmethod
    def _combo(items, tip: str) -> QComboBox:
        c = QComboBox()
        for label, data in items:
            c.addItem(label, data)
        c.setToolTip(tip)
        return c

    # ----- choices ------------------------------------------------------------------------------------
    def set_mode(self, mode: str) -> None:
        self.mode.setCurrentIndex(self.mode.findData(mode))

    def set_axis(self, axis: str) -> None:
        self.axis.setCurrentIndex(self.axis.findData(axis))

    def set_sources(self, a: str, b: str | None = None) -> None:
        self.source_a.setCurrentText(a)
        self.source_b.setCurrentText(b or NONE)

    def refresh_sources(self) -> None:
        names = self.sources.names()
        for combo, extra in ((self.source_a, []), (self.source_b, [NONE])):
            current = combo.currentText()
            combo.blockSignals(True)
            combo.clear()
            combo.addItems(extra + names)
            if combo.findText(current) >= 0:
                combo.setCurrentText(current)
            combo.blockSignals(False)
        self.update_spectrum()

    # ----- requests -----------------------------------------------------------------------------------
    def _hovered(self, t: float, hz: float, db: float) -> None:
        self._mouse_t = float(t)
        self._follow("mouse")

    def _follow(self, mode: str) -> None:
        if self.mode.currentData() == mode and self.isVisible():
            self.update_spectrum()

    def _target(self):
        """(mode, t0, t1) on the document clock, or None when there is nothing to show."""
        mode = self.mode.currentData()
        if mode == "selection":
            sel = self.pane.selection()
            return ("selection", sel[0], sel[1]) if sel else None
        t = self.playback.player.position if mode == "playhead" and self.playback.player else self._mouse_t
        return (mode, float(t), float(t))

    def update_spectrum(self) -> None:
        """Ask for the spectra of the current target (returns at once; newest request wins)."""
        if self._closed:
            return
        target = self._target()
        chosen = [(k, self.sources.get(c.currentText())) for k, c in (("A", self.source_a), ("B", self.source_b))]
        chosen = [(k, s) for k, s in chosen if s is not None]
        if target is None or not chosen:
            self.results = {}
            self._draw()
            return
        key = (target, tuple((k, s.name, id(s.audio), s.offset) for k, s in chosen), int(self.n_fft.currentData()))
        with self._lock:
            if key == self._wanted:
                return
            self._wanted = key
            jobs = [(k, s) for k, s in chosen]
            if self._busy:
                self._next = (key, jobs)
                return
            self._busy = True
        self._pool.submit(self._work, key, jobs)

    def _work(self, key, jobs) -> None:
        from workbench.core.spectrum import find_peak, mean_spectrum, spectrum_at

        while key is not None:
            (mode, t0, t1), _, n_fft = key
            results = {}
            for k, src in jobs:
                try:
                    a, b = t0 - src.offset, t1 - src.offset
                    spec = (mean_spectrum(src.audio, a, b, n_fft) if mode == "selection"
                            else spectrum_at(src.audio, a, n_fft))
                    results[k] = (src.name, spec, find_peak(spec))
                except WorkbenchError as exc:
                    results[k] = (src.name, None, str(exc))
                except Exception as exc:  # a bad track must not kill the worker
                    log.exception("spectrum failed")
                    results[k] = (src.name, None, f"{type(exc).__name__}: {exc}")
            if not self._closed:
                try:
                    self._delivered.emit(key, results)
                except RuntimeError:  # the dock was deleted meanwhile
                    return
            with self._lock:
                nxt, self._next = self._next, None
                if nxt is None:
                    self._busy = False
                    return
                key, jobs = nxt

    def _on_delivered(self, key, results) -> None:
        self.results = results
        self._shown = key
        self._draw()
        self.computed.emit(results)

    def is_up_to_date(self) -> bool:
        return self._shown is not None and self._shown == self._wanted and not self._busy

    # ----- drawing ------------------------------------------------------------------------------------
    def _draw(self) -> None:
        axis = self.axis.currentData()
        self.freq_axis.mode = axis
        self.freq_axis.picture = None
        for k in "AB":
            got = self.results.get(k)
            if not got or got[1] is None:
                self.curves[k].setData([], [])
                self.peaks[k].setData([], [])
                continue
            _, spec, peak = got
            keep = spec.freqs >= (20.0 if axis != "linear" else 0.0)
            self.curves[k].setData(to_x(spec.freqs[keep], axis), spec.db[keep])
            if peak is not None:
                self.peaks[k].setData([float(to_x(peak.hz, axis))], [peak.db])
        self.plot.enableAutoRange()
        if axis == "linear":
            self.plot.setXRange(0, self._nyquist(), padding=0.01)
        else:
            self.plot.setXRange(float(to_x(20.0, axis)), float(to_x(self._nyquist(), axis)), padding=0.01)
        self.readout.setText(self.readout_text() or "–")

    def _nyquist(self) -> float:
        audio = self.sources.doc.audio
        return audio.sample_rate / 2 if audio is not None else 22050.0

    def readout_text(self) -> str:
        """One line per source: where, which source, and its peak (Hz, note, cents, dB)."""
        from workbench.core.spectrum import Peak

        lines = []
        for k in "AB":
            got = self.results.get(k)
            if not got:
                continue
            name, spec, peak = got
            if spec is None:
                lines.append(f"{k} {name}: {peak}")
                continue
            where = (f"mean {spec.t0:.3f}-{spec.t1:.3f} s ({spec.frames} frames)" if spec.t1 > spec.t0
                     else f"at {spec.t0:.3f} s")
            text = peak.text() if isinstance(peak, Peak) else "no peak"
            lines.append(f"{k} {name} {where}: peak {text}")
        return "\n".join(lines)

    def copy_readout(self) -> str:
        text = self.readout_text()
        QGuiApplication.clipboard().setText(text)
        return text

    def close_worker(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.update_spectrum()
