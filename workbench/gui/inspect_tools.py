"""Inspect and measure: wires the spectrum dock, the measure box and harmonic cursor, band-limited listening,
"any track is a source" (the pane's Show choice and the Plugins panel's Input), scrubbing, image export and
the examples into a MainWindow. ``install_inspect_tools(window)`` is called once by the window.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QMessageBox, QSpinBox, QToolBar

from workbench.core.errors import WorkbenchError

from .band_select import BandSelection
from .measure_tool import HarmonicCursor, MeasureTool
from .plugin_input import PluginInput
from .spectrum_dock import SpectrumDock
from .track_sources import ORIGINAL, TrackSources

log = logging.getLogger(__name__)

# (keys, what they do) for Help > Keyboard and mouse
HELP_LINES = (
    "M: box tool (drag a time-frequency box: Δt, Δf, interval) · Ctrl+drag: box at any time",
    "H: harmonic cursor (k·f0 marks while hovering) · N: note names on the frequency axis",
    "Ctrl+B: hear only the box's band · P: play the box (band-limited, looping)",
    "Ctrl+Shift+C: copy the measurement readout · S: spectrum panel · drag the playhead: scrub",
    "[ / ]: playback slower / faster (0.25x-2x, pitch kept; A/B and loop keep working)",
    "Ctrl+2: a second, zoom-linked spectrogram of another track (Compare)",
    "Ctrl+Shift+E: export the view as PNG or SVG",
)


class InspectTools(QObject):
    """Public pieces: ``sources``, ``measure``, ``harmonics``, ``band``, ``spectrum``, ``plugin_input``,
    ``show_combo``, ``follow_ab``, ``toolbar`` and the actions (``box_action``, ``harmonic_action``...)."""

    def __init__(self, window):
        super().__init__(window)
        self.w = w = window
        self.sources = TrackSources(w.doc, self)
        self._providers: dict[str, tuple] = {}  # source name -> (buffer, SpectrogramProvider)
        self.measure = MeasureTool(w.pane, self)
        self.harmonics = HarmonicCursor(w.pane, parent=self)
        self.band = BandSelection(self.measure, w.pane, w.playback, self)

        # the pane shows any track; optionally the one A/B plays
        self.show_combo = QComboBox()
        self.show_combo.setObjectName("paneSource")
        self.show_combo.setToolTip("Track shown in the spectrogram (the original, a stem, generated audio...)")
        self.show_combo.setMinimumWidth(120)
        self.follow_ab = QCheckBox("Follow A/B")
        self.follow_ab.setToolTip("Show the track that A/B playback plays")
        self.show_combo.currentTextChanged.connect(self._show_chosen)
        self.follow_ab.toggled.connect(lambda on: on and self._follow(w.transport.source.currentText()))
        w.transport.source.currentTextChanged.connect(self._follow)
        self.sources.changed.connect(self._sources_changed)
        w.doc.audio_changed.connect(self._providers.clear)

        # Plugins panel: Input = the document or any track, optionally the box's band
        self.plugin_input = PluginInput(self.sources, self.band)
        w.plugins.set_input_choice(self.plugin_input)

        # spectrum dock (bottom; View > Panels)
        self.spectrum = SpectrumDock(self.sources, w.pane, w.playback)
        self.spectrum_dock = w.add_dock("Spectrum", self.spectrum, area=Qt.DockWidgetArea.BottomDockWidgetArea)
        self.spectrum_dock.hide()

        # scrubbing: dragging the playhead plays grains
        w.pane.scrub_requested.connect(w.playback.scrub)
        w.pane.scrub_finished.connect(w.playback.end_scrub)

        self.compare_pane = None  # a second spectrogram, zoom-linked, showing another track (see set_compare)
        self.compare_combo = QComboBox()
        self.compare_combo.setToolTip("Track shown in the second, zoom-linked spectrogram")
        self.compare_combo.setMinimumWidth(110)
        self.compare_combo.currentTextChanged.connect(self._compare_chosen)
        w.view_controls.settings_changed.connect(self._compare_settings)
        w.doc.audio_changed.connect(lambda: self.compare_action.setChecked(False))
        self._build_actions()

    # ----- actions, toolbar, menu ---------------------------------------------------------------------
    def _action(self, text: str, slot, shortcut: str | None = None, checkable: bool = False, tip: str = "") -> QAction:
        a = QAction(text, self.w)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.setCheckable(checkable)
        a.setStatusTip(tip or text)
        a.setToolTip(f"{tip or text} ({shortcut})" if shortcut else (tip or text))
        (a.toggled if checkable else a.triggered).connect(slot)
        self.w.addAction(a)
        return a

    def _build_actions(self) -> None:
        w = self.w
        self.box_action = self._action("▭ Box", self.measure.set_box_mode, "M", True,
                                       "Box tool: drag a time-frequency box to measure it and select its band")
        self.harmonic_action = self._action("k·f0", self.harmonics.set_enabled, "H", True,
                                            "Harmonic cursor: marks k·f0 above the frequency under the mouse")
        self.note_action = self._action("♪ Notes", w.pane.freq_item.set_note_labels, "N", True,
                                        "Note names on the frequency axis")
        self.band_action = self._action("Band only", self.band.set_band_playback, "Ctrl+B", True,
                                        "Hear only the box's frequency band")
        self.band.band_playback_changed.connect(self._sync_band_action)
        self.play_box_action = self._action("▶ Box", self._play_box, "P", tip="Play the box: band-limited, looping")
        self.copy_action = self._action("Copy readout", self.copy_readout, "Ctrl+Shift+C",
                                        tip="Copy the measurement (box, or spectrum peaks) as text")
        self.clear_box_action = self._action("Clear box", self.measure.clear, tip="Remove the measure box")
        from .export_image import open_export_image

        self.export_image_action = self._action("Export &image…", lambda: open_export_image(w), "Ctrl+Shift+E",
                                                tip="Write the view (spectrogram, layers, lanes) as PNG or SVG")
        file_menu = w.menu("File")
        quit_action = next((a for a in file_menu.actions() if a.text().replace("&", "") == "Quit"), None)
        acts = file_menu.actions()
        before = acts[acts.index(quit_action) - 1] if quit_action in acts[1:] else None  # the separator above Quit
        if before is not None:
            file_menu.insertAction(before, self.export_image_action)
        else:
            file_menu.addAction(self.export_image_action)
        self.slower_action = self._action("Slower", lambda: w.transport.step_speed(-1), "[",
                                          tip="Playback speed one step slower (pitch kept)")
        self.faster_action = self._action("Faster", lambda: w.transport.step_speed(+1), "]",
                                          tip="Playback speed one step faster (pitch kept)")
        playback_menu = w.menu("Playback")
        playback_menu.addSeparator()
        playback_menu.addAction(self.slower_action)
        playback_menu.addAction(self.faster_action)
        self.spectrum_action = self.spectrum_dock.toggleViewAction()
        self.spectrum_action.setShortcut(QKeySequence("S"))
        self.spectrum_action.setText("Spectrum panel")
        self.compare_action = self._action("⇅ Compare", self.set_compare, "Ctrl+2", True,
                                           "A second spectrogram below, zoom-linked, showing another track")
        self.count = QSpinBox(minimum=1, maximum=32, value=self.harmonics.count)
        self.count.setToolTip("Number of harmonics the harmonic cursor marks")
        self.count.valueChanged.connect(self.harmonics.set_count)

        self.toolbar = tb = QToolBar("Inspect", w)
        tb.setObjectName("inspectBar")
        tb.addWidget(QLabel(" Show "))
        tb.addWidget(self.show_combo)
        tb.addWidget(self.follow_ab)
        tb.addAction(self.compare_action)
        tb.addWidget(self.compare_combo)
        tb.addSeparator()
        for a in (self.box_action, self.harmonic_action):
            tb.addAction(a)
        tb.addWidget(self.count)
        for a in (self.note_action, self.band_action, self.play_box_action, self.copy_action, self.spectrum_action):
            tb.addAction(a)
        w.addToolBarBreak()
        w.addToolBar(tb)

        m = w.menu("Inspect")
        for a in (self.box_action, self.clear_box_action, self.harmonic_action, self.note_action):
            m.addAction(a)
        m.addSeparator()
        for a in (self.band_action, self.play_box_action, self.copy_action):
            m.addAction(a)
        m.addSeparator()
        m.addAction(self.compare_action)
        m.addSeparator()
        m.addAction(self.spectrum_action)

    def _sync_band_action(self, on: bool) -> None:
        self.band_action.blockSignals(True)
        self.band_action.setChecked(on)
        self.band_action.blockSignals(False)

    def _play_box(self) -> None:
        try:
            self.band.play_box()
        except WorkbenchError as exc:
            self.w.statusBar().showMessage(str(exc), 6000)
            return
        self.w.transport.loop.blockSignals(True)
        self.w.transport.loop.setChecked(True)
        self.w.transport.loop.blockSignals(False)

    def copy_readout(self) -> str:
        """Copy the box's measurements (or, without a box, the spectrum's peaks)."""
        text = self.measure.copy() if self.measure.box is not None else self.spectrum.copy_readout()
        if text:
            self.w.statusBar().showMessage("Readout copied", 3000)
        return text

    # ----- any track is a source ----------------------------------------------------------------------
    def _sources_changed(self) -> None:
        names = self.sources.names()
        current = self.show_combo.currentText()
        self.show_combo.blockSignals(True)
        self.show_combo.clear()
        self.show_combo.addItems(names)
        keep = current in names
        self.show_combo.setCurrentText(current if keep else ORIGINAL)
        self.show_combo.blockSignals(False)
        compared = self.compare_combo.currentText()
        self.compare_combo.blockSignals(True)
        self.compare_combo.clear()
        self.compare_combo.addItems(names)
        self.compare_combo.setCurrentText(compared if compared in names else ORIGINAL)
        self.compare_combo.blockSignals(False)
        if self.compare_pane is not None and compared not in names:
            self._compare_chosen(self.compare_combo.currentText())
        if not keep and self.w.pane.source_name not in ("", ORIGINAL):
            self.show_source(ORIGINAL)  # the shown track went away
        for name in list(self._providers):
            if name not in names:
                self._providers.pop(name)

    # ----- a second, zoom-linked pane -----------------------------------------------------------------
    def set_compare(self, on: bool) -> None:
        """Show (or remove) a second spectrogram under the first, zoom- and frequency-linked to it, that
        draws the track chosen in the Compare list (by default the first track that is not the original)."""
        w = self.w
        if on and self.compare_pane is None and w.doc.audio is not None:
            from .spectrogram_pane import SpectrogramPane

            pane = SpectrogramPane()
            pane.setObjectName("comparePane")
            pane.plot.getPlotItem().setContentsMargins(*w.pane.plot.getPlotItem().getContentsMargins())
            pane.scrollbar.hide()
            sizes = w.splitter.sizes()
            w.splitter.insertWidget(1, pane)
            w.splitter.setStretchFactor(1, 4)
            half = sizes[0] // 2  # the two spectrograms share the room the first one had
            w.splitter.setSizes([sizes[0] - half, half] + sizes[1:])
            pane.set_audio(w.doc.audio, w.provider, w.pane.settings)
            pane.plot.setXLink(w.pane.plot)
            pane.plot.setYLink(w.pane.plot)
            pane.vb.clicked.connect(w.pane._clicked)
            pane.vb.zoom_time.connect(w.pane.zoom_time)
            pane.vb.scroll_time.connect(w.pane.scroll_time)
            w.playback.position.connect(pane.set_playhead)
            self.compare_pane = pane
            names = self.sources.names()
            shown = w.pane.source_name or ORIGINAL
            pick = self.compare_combo.currentText()
            if pick not in names or pick == shown:  # something other than what the main pane shows
                pick = next((n for n in names if n != shown), ORIGINAL)
            self.compare_combo.setCurrentText(pick)
            self._compare_chosen(pick)
        elif not on and self.compare_pane is not None:
            pane, self.compare_pane = self.compare_pane, None
            try:
                w.playback.position.disconnect(pane.set_playhead)
            except (RuntimeError, TypeError):
                pass
            pane.bridge.close()
            pane.setParent(None)
            pane.deleteLater()
        if self.compare_action.isChecked() != (self.compare_pane is not None):
            self.compare_action.blockSignals(True)
            self.compare_action.setChecked(self.compare_pane is not None)
            self.compare_action.blockSignals(False)

    def _compare_chosen(self, name: str) -> None:
        pane = self.compare_pane
        if pane is None or not name:
            return
        buf, provider, offset = self._source_view(name)
        if buf is not None:
            pane.set_source(buf, provider, offset, name)

    def _compare_settings(self, settings) -> None:
        if self.compare_pane is not None:
            self.compare_pane.set_settings(settings)

    def _follow(self, name: str) -> None:
        if self.follow_ab.isChecked() and name and self.show_combo.findText(name) >= 0:
            self.show_combo.setCurrentText(name)

    def _show_chosen(self, name: str) -> None:
        if name:
            self.show_source(name)

    def show_source(self, name: str) -> None:
        """Draw the track ``name`` in the spectrogram pane (the view stays where it is)."""
        w = self.w
        buf, provider, offset = self._source_view(name)
        if buf is None:
            return
        if self.show_combo.currentText() != name:
            self.show_combo.blockSignals(True)
            self.show_combo.setCurrentText(name)
            self.show_combo.blockSignals(False)
        w.pane.set_source(buf, provider, offset, name)

    def _source_view(self, name: str):
        """(buffer at the document's rate, its SpectrogramProvider, offset) of source ``name``, or Nones."""
        w = self.w
        src = self.sources.get(name)
        if src is None or w.doc.audio is None:
            return None, None, 0.0
        if name == ORIGINAL:
            return w.doc.audio, w.provider, 0.0
        buf = self.sources.at_document_rate(src)
        cached = self._providers.get(name)
        if cached is None or cached[0] is not buf:
            from workbench.core.spectrogram_view import SpectrogramProvider

            cached = self._providers[name] = (buf, SpectrogramProvider(buf, device=w.compute_device))
        return buf, cached[1], src.offset

    def close(self) -> None:
        """The window is closing: stop the spectrum worker and the second pane's renders."""
        self.spectrum.close_worker()
        if self.compare_pane is not None:
            self.compare_pane.bridge.close()

    # ----- options saved with the project -------------------------------------------------------------
    def options(self) -> dict:
        return {"note_axis": self.note_action.isChecked(), "follow_ab": self.follow_ab.isChecked(),
                "harmonics": self.count.value()}

    def set_options(self, state: dict) -> None:
        if isinstance(state.get("note_axis"), bool):
            self.note_action.setChecked(state["note_axis"])
        if isinstance(state.get("follow_ab"), bool):
            self.follow_ab.setChecked(state["follow_ab"])
        if isinstance(state.get("harmonics"), int):
            self.count.setValue(state["harmonics"])
        name = state.get("source")
        if isinstance(name, str) and name and self.sources.get(name) is not None:
            self.show_source(name)


def install_inspect_tools(window) -> InspectTools:
    try:
        window.inspect = InspectTools(window)
    except Exception as exc:  # the rest of the window must keep working
        log.exception("inspect tools failed to install")
        QMessageBox.warning(window, "Audio Workbench", f"The inspect tools could not start: {exc}")
        window.inspect = None
    return window.inspect
