"""The main window: menus, toolbars, overview + spectrogram + lanes, docks for layers/plugins/details, status bar.

Hooks for other tools: :meth:`MainWindow.add_tool_action` puts an action into a named menu and
:meth:`MainWindow.add_dock` adds a dock widget (live input, library, model manager...).
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDockWidget, QLabel, QMainWindow, QMenu, QMessageBox, QScrollArea, QSplitter,
                               QVBoxLayout, QWidget)

from workbench.core.errors import WorkbenchError

from .axes import format_hz, format_time, note_name
from .decode_view import DecodingView
from .details import DetailsPanel
from .document import Document
from .file_actions import FileActions
from .job_bridge import JobBridge
from .jobs_panel import JobsPanel, PartialLayers
from .lanes import LanesArea
from .layer_panel import LayerPanel
from .layer_views import LayerViews
from .overview import OverviewWidget
from .plugin_panel import PluginPanel
from .settings_store import SettingsStore
from .spectrogram_pane import SpectrogramPane
from .transport import PlaybackController, TransportBar
from .view_controls import ViewControls

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """One document per window. Public pieces: ``doc``, ``pane``, ``overview``, ``lanes``, ``layers``,
    ``plugins``, ``playback``, ``transport``, ``view_controls``, ``jobs``, ``layer_views``, ``files``.

    Signals: ``file_opened(path)`` once a file is shown, ``file_error(message)`` when opening/saving failed.
    """

    file_opened = Signal(str)
    file_error = Signal(str)

    def __init__(self, registry=None, settings: SettingsStore | None = None):
        super().__init__()
        from workbench.core.registry import default_registry

        self.setObjectName("mainWindow")
        self.setWindowTitle("Audio Workbench")
        self.setAcceptDrops(True)
        self.store = settings or SettingsStore()
        self.registry = registry if registry is not None else default_registry()
        self.doc = Document(self)
        self.provider = None
        from workbench.core.jobs import JobRunner

        # The compute device the user chose (Tools > Compute device, or `workbench --device`), honoured from the
        # first job: "auto" is resolved in the job's worker thread, so no torch import happens here.
        # A queue: CPU jobs run side by side, jobs on one GPU one after the other (see workbench.core.jobs).
        self.jobs = JobBridge(JobRunner(max_workers=4, device=self.device_preference()), parent=self)
        self.playback = PlaybackController(self)

        # centre: overview, spectrogram, lanes
        self.overview = OverviewWidget()
        self.pane = SpectrogramPane()
        self.lanes = LanesArea()
        self.lanes_scroll = lanes_scroll = QScrollArea()
        lanes_scroll.setWidgetResizable(True)
        lanes_scroll.setWidget(self.lanes)
        lanes_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        # The lanes' scrollbar is always there and the plots above keep the same right margin, so time lines up.
        lanes_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        right = 6 + lanes_scroll.verticalScrollBar().sizeHint().width()
        self.pane.plot.getPlotItem().setContentsMargins(0, 0, right, 0)
        self.overview.plot.getPlotItem().setContentsMargins(0, 2, right, 2)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.pane)
        self.splitter.addWidget(lanes_scroll)
        lanes_scroll.hide()  # shown when the first lane arrives
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(0, False)
        self.lanes.lanes_changed.connect(self._fit_lanes)
        centre = QWidget()
        cl = QVBoxLayout(centre)
        cl.setContentsMargins(4, 4, 4, 0)
        cl.setSpacing(3)
        cl.addWidget(self.overview)
        cl.addWidget(self.splitter, 1)
        self.setCentralWidget(centre)
        self.layer_views = LayerViews(self.doc, self.pane, self.lanes, self.playback, self)

        # toolbars
        self.view_controls = ViewControls(self.store.spectrogram_settings(), self)
        self.transport = TransportBar(self.playback, self)
        self.addToolBar(self.transport)
        self.addToolBarBreak()
        self.addToolBar(self.view_controls)
        self.channel_combo = QComboBox()
        self.channel_combo.setToolTip("Channel shown in the spectrogram")
        self.channel_combo.addItem("Mix", None)
        self.channel_combo.currentIndexChanged.connect(
            lambda i: self.pane.set_channel(self.channel_combo.itemData(i)))
        self.view_controls.addWidget(self.channel_combo)

        # docks
        self.layers = LayerPanel(self.doc)
        self.plugins = PluginPanel(self.registry, self.jobs, lambda: self.doc.audio, self.pane.selection)
        self.details = DetailsPanel()
        self.layers_dock = self.add_dock("Layers", self.layers)
        self.plugins_dock = self.add_dock("Plugins", self.plugins)
        self.details_dock = self.add_dock("Details", self.details)
        self.jobs_panel = JobsPanel(self.jobs)
        self.jobs_dock = self.add_dock("Jobs", self.jobs_panel, tabify_with=self.details_dock)
        self.partial_layers = PartialLayers(self.doc, self)  # results drawn while their job runs

        # status bar
        self.status_time, self.status_freq = QLabel("–"), QLabel("–")
        self.status_file, self.status_job = QLabel("No file"), QLabel("idle")
        self.status_selection = QLabel("")
        self.status_time.setMinimumWidth(120)
        self.status_freq.setMinimumWidth(240)
        for w in (self.status_time, self.status_freq, self.status_selection, self.status_file):
            self.statusBar().addWidget(w)
        self.statusBar().addPermanentWidget(self.status_job)

        self.files = FileActions(self)
        self.compute_device = "cpu"
        self.decoding = DecodingView(self)
        self.warmed_up = threading.Event()  # set when the warm-up imports are done (or failed)
        # the settings are read here: one QSettings object must not be used from two threads at once
        threading.Thread(target=self._warm_up, args=(self.device_preference(),), name="workbench-warm-up",
                         daemon=True).start()
        self._build_menus()
        self._connect()
        self.resizeDocks([self.layers_dock, self.plugins_dock, self.details_dock], [330] * 3, Qt.Orientation.Horizontal)
        self.resizeDocks([self.layers_dock, self.plugins_dock, self.details_dock], [200, 380, 160], Qt.Orientation.Vertical)
        self.store.restore_window(self)
        last = self.store.last_plugin() or "pitch"
        if self.plugins.combo.findData(last) >= 0:
            self.plugins.select_plugin(last)
        self.plugins.combo.currentIndexChanged.connect(
            lambda _: self.store.set_last_plugin(self.plugins.combo.currentData() or ""))
        dev = self.store.output_device()
        if dev:
            self.transport.select_device(dev)

    # ----- hooks for other tools -----------------------------------------------------------------------
    def menu(self, name: str) -> QMenu:
        """The top-level menu called ``name`` (created before Help when missing)."""
        # QAction.menu() can hand back a wrapper of an already-deleted object in PySide6: look the menus up instead
        top = self.menuBar().actions()
        for m in self.findChildren(QMenu):
            if m.menuAction() in top and m.title().replace("&", "") == name.replace("&", ""):
                return m
        m = QMenu(name, self)
        help_menu = getattr(self, "_help_menu", None)
        if help_menu is not None:
            self.menuBar().insertMenu(help_menu.menuAction(), m)
        else:
            self.menuBar().addMenu(m)
        return m

    def add_tool_action(self, menu_name: str, action: QAction) -> None:
        """Add ``action`` to the menu ``menu_name`` (e.g. "Tools", "Live", "Library")."""
        if action.parent() is None:
            action.setParent(self)
        self.menu(menu_name).addAction(action)

    def add_dock(self, title: str, widget: QWidget, area=Qt.DockWidgetArea.RightDockWidgetArea,
                 tabify_with: QDockWidget | None = None) -> QDockWidget:
        """Wrap ``widget`` in a dock (listed in View > Panels)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.replace(' ', '_')}")
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if tabify_with is not None:
            self.tabifyDockWidget(tabify_with, dock)
        if hasattr(self, "_panels_menu"):
            self._panels_menu.addAction(dock.toggleViewAction())
        return dock

    # ----- menus -------------------------------------------------------------------------------------
    def _act(self, menu: QMenu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut:
            a.setShortcuts([QKeySequence(s) for s in (shortcut if isinstance(shortcut, (list, tuple)) else [shortcut])])
        if tip:
            a.setStatusTip(tip)
        a.triggered.connect(slot)
        menu.addAction(a)
        return a

    def _build_menus(self) -> None:
        mb = self.menuBar()
        f = mb.addMenu("&File")
        self.files.build_menu(f)
        e = mb.addMenu("&Edit")
        undo = self.doc.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence.StandardKey.Undo)
        redo = self.doc.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence.StandardKey.Redo)
        e.addActions([undo, redo])
        e.addSeparator()
        from .layer_editing import LayerEditor

        self.editor = LayerEditor(self)  # Edit > Annotation: add, move, relabel, delete, f0 fixes
        self.editor.build_menu(e)
        self._act(e, "Select &all", lambda: self.pane.set_selection(0, self.pane.duration()), "Ctrl+A")
        self._act(e, "Clear selection", self.pane.clear_selection, "Escape")
        v = mb.addMenu("&View")
        for i, (label, kind) in enumerate((("&STFT", "stft"), ("&Mel", "mel"), ("&CQT", "cqt")), 1):
            self._act(v, label, lambda _=False, k=kind: self.view_controls.set_kind(k), str(i))
        v.addSeparator()
        # Navigation keys act while the timeline has focus, so lists and fields keep their arrow keys.
        nav = [
            self._act(v, "Zoom &in", lambda: self.pane.zoom_time(1.5), ["+", "="]),
            self._act(v, "Zoom &out", lambda: self.pane.zoom_time(1 / 1.5), "-"),
            self._act(v, "Zoom to &selection", self.pane.zoom_to_selection, "Z"),
            self._act(v, "&Fit whole file", self.pane.zoom_all, "0"),
            self._act(v, "Frequency zoom in", lambda: self.pane.zoom_freq(1.25), "Ctrl+Up"),
            self._act(v, "Frequency zoom out", lambda: self.pane.zoom_freq(0.8), "Ctrl+Down"),
            self._act(v, "Scroll left", lambda: self.pane.scroll_time(-0.2), "Left"),
            self._act(v, "Scroll right", lambda: self.pane.scroll_time(0.2), "Right"),
            self._act(v, "Scroll up (higher)", lambda: self.pane.scroll_freq(0.2), "Up"),
            self._act(v, "Scroll down (lower)", lambda: self.pane.scroll_freq(-0.2), "Down"),
        ]
        for a in nav:
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.centralWidget().addAction(a)
        v.addSeparator()
        self._panels_menu = QMenu("Panels", self)  # parented to the window: a bare addMenu("Panels") got deleted
        v.addMenu(self._panels_menu)
        for d in (self.layers_dock, self.plugins_dock, self.details_dock):
            self._panels_menu.addAction(d.toggleViewAction())
        p = mb.addMenu("&Playback")
        self.play_action = self._act(p, "Play / Pause", self.playback.toggle, "Space")
        self._act(p, "Stop", self.playback.stop, "Shift+Space")
        self._act(p, "Go to start", lambda: self.playback.seek(0.0), "Home")
        loop = self._act(p, "Loop selection", lambda on: self.transport.loop.setChecked(on), "L")
        loop.setCheckable(True)
        self.transport.loop.toggled.connect(loop.setChecked)
        self._act(p, "Next A/B source", self._next_source, "B")
        self.menu("Tools")
        from .tools import install_tools

        install_tools(self)
        from .inspect_tools import install_inspect_tools

        install_inspect_tools(self)  # spectrum, measuring, band listening, any track as a source, export image
        self._help_menu = mb.addMenu("&Help")
        self._act(self._help_menu, "&Keyboard and mouse", self._show_help)
        from .examples_menu import install_examples_menu

        install_examples_menu(self)
        self._act(self._help_menu, "&About", lambda: QMessageBox.about(
            self, "Audio Workbench", "Audio Workbench 0.1 — look at, listen to and transform audio.\nGPL-3.0-or-later"))

    def _connect(self) -> None:
        self.view_controls.settings_changed.connect(self._settings_changed)
        self.pane.seek_requested.connect(self.playback.seek)
        self.pane.selection_changed.connect(self._selection_changed)
        self.pane.hover.connect(self._hover)
        self.pane.time_range_changed.connect(self.overview.set_visible_span)
        self.pane.render_failed.connect(lambda msg: self.statusBar().showMessage(f"Spectrogram: {msg}", 8000))
        self.pane.bridge.overview_ready.connect(self.overview.set_envelope)
        self.overview.navigate.connect(self.pane.set_time_range)
        self.playback.position.connect(self._position)
        self.playback.error.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        self.transport.loop.toggled.connect(lambda on: self.playback.set_loop(self.pane.selection() if on else None))
        self.plugins.layers_ready.connect(self._plugin_layers)
        self.plugins.partial_ready.connect(self.partial_layers.show)
        self.plugins.job_ended.connect(self.partial_layers.clear)
        self.plugins.job_state.connect(self.status_job.setText)
        self.layers.export_requested.connect(self.files.export_layer)
        self.layers.layer_selected.connect(lambda layer: self.details.show_layer(
            layer, self.doc.color(layer) if layer is not None else None))
        self.details.match_activated.connect(self._open_match)

    def device_preference(self) -> str:
        """`workbench --device X` for this run, else the saved choice ('auto', 'cpu', 'cuda:N')."""
        import os

        return os.environ.get("WORKBENCH_DEVICE") or self.store.compute_device()

    def set_compute_device(self, device: str) -> None:
        """Use ``device`` for the next jobs (and remember it)."""
        from workbench.core.devices import best_compute_device

        os_env = __import__("os").environ
        os_env.pop("WORKBENCH_DEVICE", None)  # an explicit choice in the window wins over --device
        self.store.set_compute_device(device)
        self.jobs.runner.device = device if device == "auto" else best_compute_device(device)
        self.statusBar().showMessage(f"Compute device: {device}", 5000)

    def _warm_up(self, preference: str) -> None:
        """Import torch and the feature code off the GUI thread, so opening the first file does not stall."""
        try:
            from workbench.core.devices import best_compute_device
            from workbench.core.features import compute_spectrogram  # noqa: F401  (imports torch)
            import scipy.signal  # noqa: F401  (~1 s: the CQT's filters and non-Hann windows)

            self.compute_device = best_compute_device(preference)
        except Exception:  # the first render reports real problems
            log.debug("warm-up failed", exc_info=True)
        finally:
            self.warmed_up.set()

    # ----- document ----------------------------------------------------------------------------------
    def show_decode_preview(self, preview) -> None:
        """While a file decodes: its length and the waveform decoded so far in the overview (first feedback)."""
        self.overview.set_duration(preview.duration)
        self.overview.set_envelope(preview.envelope)
        self.decoding.preview(preview)  # and the spectrogram of the decoded part
        self.statusBar().showMessage(f"Opening {preview.path.name}… {preview.fraction:.0%}")

    def show_audio(self, audio) -> None:
        """Make ``audio`` the document's audio and show it (called by FileActions after loading)."""
        from workbench.core.spectrogram_view import SpectrogramProvider

        self.playback.stop()
        self.provider = self.decoding.take(audio) or SpectrogramProvider(audio, device=self.compute_device)
        self.doc.set_audio(audio)
        self.overview.set_duration(audio.duration)
        self.pane.set_audio(audio, self.provider, self.view_controls.settings)
        self.pane.bridge.request_overview(max(400, self.overview.width()))
        self.playback.set_audio(audio)
        self.channel_combo.blockSignals(True)
        self.channel_combo.clear()
        self.channel_combo.addItem("Mix", None)
        if audio.channels > 1:
            for c in range(audio.channels):
                self.channel_combo.addItem(("L", "R")[c] if audio.channels == 2 else f"Ch {c + 1}", c)
        self.channel_combo.setEnabled(audio.channels > 1)
        self.channel_combo.blockSignals(False)
        self.details.show_layer(None)
        self.pane.plot.setFocus()
        name = audio.name or (audio.source.name if audio.source else "untitled")
        self.setWindowTitle(f"{name} — Audio Workbench")
        self.status_file.setText(f"{name} · {audio.sample_rate} Hz · {audio.channels} ch · {format_time(audio.duration)}")
        for w in audio.warnings:
            self.statusBar().showMessage(w, 10000)

    def _plugin_layers(self, layers: list, title: str) -> None:
        """Results of a plugin run become layers; audio made from nothing (e.g. TTS) becomes the document."""
        from workbench.core.layers import Tracks

        if self.doc.audio is None:
            track = next((layer for layer in layers if isinstance(layer, Tracks) and layer.tracks), None)
            if track is None:
                return
            self.show_audio(next(iter(track.tracks.values())))
        self.doc.add_layers(layers, f"Run {title}")

    def _open_match(self, match) -> None:
        """Seek to where the match starts and load it, time-aligned, as an A/B track."""
        from .match_opener import open_match

        layer = self.details.current_layer()
        offset = float(layer.metadata.get("offset", 0.0)) if layer is not None else 0.0
        if match.alignment:
            self.playback.seek(offset + match.alignment[0][0])
        open_match(self, match, offset)

    def _settings_changed(self, settings) -> None:
        self.store.save_spectrogram_settings(settings)
        try:
            self.pane.set_settings(settings)
        except (WorkbenchError, ValueError) as exc:
            QMessageBox.warning(self, "Spectrogram settings", str(exc))

    def _selection_changed(self, a: float, b: float) -> None:
        if self.transport.loop.isChecked():
            self.playback.set_loop((a, b) if b > a else None)
        self.status_selection.setText(f"sel {format_time(a)} – {format_time(b)} ({b - a:.3f} s)" if b > a else "")

    def _hover(self, t: float, hz: float, db: float) -> None:
        self.status_time.setText(f"t {format_time(t)}")
        freq = f"f {format_hz(hz)} Hz ({note_name(hz)})" if hz == hz and hz > 0 else "f –"
        self.status_freq.setText(freq + (f"  {db:.1f} dB" if db == db else ""))

    def _position(self, t: float) -> None:
        self.pane.set_playhead(t)
        self.lanes.set_playhead(t)
        self.overview.set_playhead(t)
        if self.playback.playing:  # page along with the cursor, like an editor
            t0, t1 = self.pane.time_range()
            if t > t1 or t < t0:
                self.pane.set_time_range(t, t + (t1 - t0))

    def _fit_lanes(self) -> None:
        """Give the lanes the room they need, up to 45% of the centre, the spectrogram the rest."""
        self.lanes_scroll.setVisible(bool(self.lanes.views))
        total = sum(self.splitter.sizes())
        want = min(self.lanes.content_height() + 4, int(total * 0.45))
        self.splitter.setSizes([total - want, want])

    def _next_source(self) -> None:
        c = self.transport.source
        if c.count():
            c.setCurrentIndex((c.currentIndex() + 1) % c.count())

    def _show_help(self) -> None:
        QMessageBox.information(self, "Keyboard and mouse", (
            "Click: move the cursor · Drag: select · Shift+drag or middle-drag: pan\n"
            "Wheel: zoom time · Ctrl+wheel: zoom frequency · Shift+wheel: scroll\n"
            "+ / -: zoom · Z: zoom to selection · 0: whole file · arrows: scroll\n"
            "1 / 2 / 3: STFT / mel / CQT · Space: play/pause · L: loop selection · B: next A/B source\n"
            + "\n".join(self.help_lines())))

    def help_lines(self) -> list[str]:
        """Extra lines for the keyboard help, from the tools installed into the window."""
        from .inspect_tools import HELP_LINES
        from .layer_editing import HELP_LINES as EDIT_LINES

        return list(HELP_LINES) + EDIT_LINES

    # ----- drag and drop -----------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            from .annotation_files import annotation_paths

            notes, others = annotation_paths(paths)  # annotations join the open document; audio opens
            if others:
                self.files.open_paths(others)
            if notes:
                self.files.annotations.import_paths(notes)

    def closeEvent(self, event) -> None:
        if not self.files.confirm_close():  # unsaved work: the Save/Discard/Cancel question is open
            event.ignore()
            return
        self.store.save_window(self)
        self.files.loader.close()
        self.playback.close()
        self.jobs.shutdown()
        self.pane.bridge.close()
        if getattr(self, "inspect", None) is not None:
            self.inspect.close()
        # A closed window may live on (File > New keeps the app running): let go of the audio and its tiles.
        self.decoding.active = self.provider = self.playback.player = None
        self.pane.audio = self.pane.source = self.pane.current_image = None
        self.doc.audio = None
        super().closeEvent(event)
