"""The Plugins panel's Input choice: run a plugin on the document or on any track (a stem, TTS or DDSP output,
an A/B file), on the whole of it, the selection, or band-limited to the measure box.

``resolve`` returns the audio to hand the plugin and where it starts on the document clock; the panel shifts
the results by that offset, so a run on the vocals stem lands on the same timeline as the mix.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QWidget

from workbench.core.errors import WorkbenchError

from .track_sources import ORIGINAL


class PluginInput(QWidget):
    """Input combo (document or a track) and "band-limit to the box"."""

    def __init__(self, sources, band, parent: QWidget | None = None):
        super().__init__(parent)
        self.sources, self.band = sources, band
        self.combo = QComboBox()
        self.combo.setObjectName("pluginInput")
        self.combo.setToolTip("What the plugin runs on: the document's audio or any track (stems, generated audio)")
        self.use_box = QCheckBox("Box band only")
        self.use_box.setToolTip("Run on the measure box: its time span, band-limited to its frequency range (M)")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel("Input:"))
        lay.addWidget(self.combo, 1)
        lay.addWidget(self.use_box)
        sources.changed.connect(self.refresh)
        band.measure.box_changed.connect(lambda box: self._box_changed(box))
        self.use_box.setEnabled(False)
        self.refresh()

    def _box_changed(self, box) -> None:
        self.use_box.setEnabled(box is not None)
        if box is None:
            self.use_box.setChecked(False)

    def refresh(self) -> None:
        current = self.combo.currentText()
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItems(self.sources.names() or [ORIGINAL])
        if self.combo.findText(current) >= 0:
            self.combo.setCurrentText(current)
        self.combo.blockSignals(False)

    def set_input(self, name: str) -> None:
        i = self.combo.findText(name)
        if i < 0:
            raise KeyError(name)
        self.combo.setCurrentIndex(i)

    def resolve(self, on_selection: bool, selection) -> tuple[object, float]:
        """(audio for the plugin, its start on the document clock); WorkbenchError with a message to show."""
        src = self.sources.get(self.combo.currentText()) or self.sources.get(ORIGINAL)
        if src is None:
            raise WorkbenchError("Open an audio file first.")
        if self.use_box.isChecked():
            return self.band.box_audio(src.audio, src.offset)
        if not on_selection:
            return src.audio, src.offset
        if not selection:
            raise WorkbenchError("Select a time span first (drag on the spectrogram), or run on the whole file.")
        a, b = selection
        piece = src.audio.slice(max(0.0, a - src.offset), max(0.0, b - src.offset))
        if piece.num_samples == 0:
            raise WorkbenchError(f"'{src.name}' has no audio in the selection.")
        return piece, max(a, src.offset)
