"""Spectrogram settings toolbar: STFT / mel / CQT, colour map, dB range, frequency range and scale, window/hop."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QLabel, QToolBar, QWidget

KINDS = (("STFT", "stft"), ("Mel", "mel"), ("CQT", "cqt"))
COLORMAPS = ("magma", "inferno", "viridis", "plasma", "cividis", "CET-L1", "CET-L4")
SCALES = ("auto", "linear", "log", "mel")
FFT_SIZES = (256, 512, 1024, 2048, 4096, 8192)
HOPS = (64, 128, 256, 512, 1024, 2048)
WINDOWS = ("hann", "hamming", "blackman")


class ViewControls(QToolBar):
    """Edits a SpectrogramSettings; emits ``settings_changed(settings)`` on every change."""

    settings_changed = Signal(object)

    def __init__(self, settings, parent: QWidget | None = None):
        super().__init__("View", parent)
        self.setObjectName("viewControls")
        self._settings = settings
        self._updating = False
        self.kind = self._combo([k for k, _ in KINDS], "Spectrogram type (1 / 2 / 3)")
        self.kind.setObjectName("kindCombo")
        self.colormap = self._combo(COLORMAPS, "Colour map")
        self.db_range = QDoubleSpinBox(suffix=" dB", minimum=20, maximum=160, singleStep=10, decimals=0)
        self.db_range.setToolTip("Dynamic range shown")
        self.scale = self._combo(SCALES, "Frequency scale (auto: linear for STFT, mel for mel, log for CQT)")
        self.fmin = QDoubleSpinBox(suffix=" Hz", minimum=0, maximum=20000, decimals=1, singleStep=10)
        self.fmin.setToolTip("Lowest frequency (mel and CQT)")
        self.fmax = QDoubleSpinBox(suffix=" Hz", minimum=0, maximum=96000, decimals=0, singleStep=500,
                                   specialValueText="Nyquist")
        self.fmax.setToolTip("Highest frequency (0 = Nyquist)")
        self.n_fft = self._combo([str(n) for n in FFT_SIZES], "FFT size (window length, samples)")
        self.hop = self._combo([str(h) for h in HOPS], "Hop between frames (samples); the view picks its own at low zoom")
        self.window = self._combo(WINDOWS, "Window function")
        for label, w in (("", self.kind), ("", self.colormap), ("Range", self.db_range), ("Scale", self.scale),
                         ("f min", self.fmin), ("f max", self.fmax), ("FFT", self.n_fft), ("Hop", self.hop),
                         ("", self.window)):
            if label:
                self.addWidget(QLabel(f" {label} "))
            self.addWidget(w)
        self.set_settings(settings)
        for c in (self.kind, self.colormap, self.scale, self.n_fft, self.hop, self.window):
            c.currentIndexChanged.connect(self._changed)
        for s in (self.db_range, self.fmin, self.fmax):
            s.editingFinished.connect(self._changed)

    def _combo(self, items, tip: str) -> QComboBox:
        c = QComboBox()
        c.addItems(list(items))
        c.setToolTip(tip)
        return c

    @property
    def settings(self):
        return self._settings

    def set_settings(self, s) -> None:
        """Show ``s`` without emitting."""
        self._updating = True
        self._settings = s
        self.kind.setCurrentIndex([k for _, k in KINDS].index(s.kind) if s.kind in [k for _, k in KINDS] else 0)
        if self.colormap.findText(s.colormap) < 0:
            self.colormap.addItem(s.colormap)
        self.colormap.setCurrentText(s.colormap)
        self.db_range.setValue(s.db_range)
        if self.scale.findText(s.freq_scale) < 0:
            self.scale.addItem(s.freq_scale)
        self.scale.setCurrentText(s.freq_scale)
        self.fmin.setValue(s.fmin or 0.0)
        self.fmax.setValue(s.fmax or 0.0)
        for combo, v in ((self.n_fft, s.n_fft), (self.hop, s.hop)):
            if combo.findText(str(v)) < 0:
                combo.addItem(str(v))
            combo.setCurrentText(str(v))
        if self.window.findText(s.window) < 0:
            self.window.addItem(s.window)
        self.window.setCurrentText(s.window)
        self._updating = False

    def set_kind(self, kind: str) -> None:
        self.kind.setCurrentIndex([k for _, k in KINDS].index(kind))

    def _changed(self, *args) -> None:
        if self._updating:
            return
        s = self._settings
        fmin = float(self.fmin.value())
        new = replace(
            s, kind=KINDS[self.kind.currentIndex()][1], colormap=self.colormap.currentText(),
            db_range=float(self.db_range.value()), freq_scale=self.scale.currentText(),
            fmin=fmin if fmin > 0 else s.fmin, fmax=(float(self.fmax.value()) or None),
            n_fft=int(self.n_fft.currentText()), hop=int(self.hop.currentText()), window=self.window.currentText(),
        )
        if new != s:
            self._settings = new
            self.settings_changed.emit(new)
