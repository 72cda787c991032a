"""File menu: open (dialog, drag-and-drop, recent files), projects (save/open), export of layers."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from workbench.core.audio_io import AUDIO_EXTENSIONS
from workbench.core.layers import Tracks

from .audio_loader import AudioLoader

log = logging.getLogger(__name__)
PROJECT_SUFFIX = ".awproj"
AUDIO_FILTER = "Audio files (" + " ".join(f"*{e}" for e in sorted(AUDIO_EXTENSIONS)) + ")"


class FileActions:
    """Everything that reads or writes files for a :class:`MainWindow`. Errors become message boxes."""

    def __init__(self, window):
        self.w = window
        self.recent_menu: QMenu | None = None
        self.last_error: str = ""
        self.loader = AudioLoader(window)

    def build_menu(self, menu: QMenu) -> None:
        w = self.w
        w._act(menu, "&Open…", self.open_dialog, QKeySequence.StandardKey.Open)
        self.recent_menu = menu.addMenu("Open &recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        w._act(menu, "Add &track for A/B…", self.add_track_dialog, "Ctrl+Shift+O")
        menu.addSeparator()
        w._act(menu, "Open &project…", self.open_project_dialog)
        w._act(menu, "&Save project", self.save_project, QKeySequence.StandardKey.Save)
        w._act(menu, "Save project &as…", lambda: self.save_project(ask=True), QKeySequence.StandardKey.SaveAs)
        menu.addSeparator()
        w._act(menu, "&Export selected layer…", lambda: self.export_layer(w.layers.current()), "Ctrl+E")
        w._act(menu, "Export &all layers (JAMS)…", self.export_all)
        menu.addSeparator()
        w._act(menu, "&Quit", w.close, QKeySequence.StandardKey.Quit)

    # ----- messages ----------------------------------------------------------------------------------
    def error(self, title: str, message: str) -> None:
        """Non-blocking warning box; the window stays usable."""
        self.last_error = message
        self.w.statusBar().clearMessage()
        self.w.file_error.emit(message)
        log.warning("%s: %s", title, message)
        box = QMessageBox(QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, self.w)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ----- opening -----------------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.w, "Open audio", self.w.store.last_folder(),
                                              f"{AUDIO_FILTER};;Projects (*{PROJECT_SUFFIX});;All files (*)")
        if path:
            self.open_paths([path])

    def open_paths(self, paths: list[str]) -> bool:
        """Open the first file (in the background); further audio files become tracks for A/B comparison.

        Returns False when nothing could be started; the result arrives through ``window.file_opened``
        or an error message.
        """
        paths = [str(p) for p in paths]
        if not paths:
            return False
        first, rest = paths[0], paths[1:]
        if first.endswith(PROJECT_SUFFIX):
            return self.open_project(first, then=rest)
        self.w.statusBar().showMessage(f"Opening {Path(first).name}…")

        def loaded(audio) -> None:
            self.w.show_audio(audio)
            self._remember(first)
            self.w.statusBar().clearMessage()
            self.w.file_opened.emit(first)
            for p in rest:
                self.add_track(p)

        self.loader.load(first, loaded, lambda msg: self.error("Open", msg))
        return True

    def add_track_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.w, "Add a track to compare", self.w.store.last_folder(), AUDIO_FILTER)
        if path:
            self.add_track(path)

    def add_track(self, path: str) -> None:
        """Load ``path`` (in the background) as a Tracks layer for A/B comparison with the document."""
        if self.w.doc.audio is None:
            self.open_paths([path])
            return
        name = Path(path).stem

        def loaded(buf) -> None:
            self.w.doc.add_layers([Tracks(name=name, source="user", tracks={name: buf})], f"Add track {name}")

        self.loader.load(path, loaded, lambda msg: self.error("Add track", msg))

    def _remember(self, path: str) -> None:
        self.w.store.set_last_folder(str(Path(path).resolve().parent))
        self.w.store.add_recent(path)

    def _fill_recent(self) -> None:
        m = self.recent_menu
        m.clear()
        files = self.w.store.recent_files()
        for p in files:
            a = QAction(Path(p).name, m)
            a.setToolTip(p)
            a.triggered.connect(lambda _=False, p=p: self.open_paths([p]))
            m.addAction(a)
        if not files:
            m.addAction("(none)").setEnabled(False)
        m.addSeparator()
        m.addAction("Clear list", self.w.store.clear_recent)

    # ----- projects ----------------------------------------------------------------------------------
    def open_project_dialog(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.w, "Open project", self.w.store.last_folder(),
                                              f"Projects (*{PROJECT_SUFFIX})")
        if path:
            self.open_project(path)

    def open_project(self, path: str, then: list[str] | None = None) -> bool:
        """Open a ``.awproj`` project (read in the background); ``then``: files to add as tracks afterwards."""
        try:
            from workbench.core.session import Session
        except ImportError:
            self.error("Open project", "Project files are not supported by this build (workbench.core.session missing).")
            return False

        def loaded(session) -> None:
            if session.audio is None:
                self.error("Open project", f"The project '{path}' has no audio.")
                return
            self.w.show_audio(session.audio)
            self.w.doc.add_layers(list(session.layers), "Open project")
            self.w.doc.undo_stack.clear()
            self.w.doc.project_path = Path(path)
            self._remember(path)
            self.w.statusBar().clearMessage()
            self.w.file_opened.emit(str(path))
            for p in then or []:
                self.add_track(p)

        self.w.statusBar().showMessage(f"Opening project {Path(path).name}…")
        self.loader.load(path, loaded, lambda msg: self.error("Open project", msg), fn=Session.load)
        return True

    def save_project(self, ask: bool = False) -> bool:
        doc = self.w.doc
        if doc.audio is None:
            self.error("Save project", "Open an audio file first.")
            return False
        path = doc.project_path
        if ask or path is None:
            start = str(Path(self.w.store.last_folder()) / ((doc.audio.name or "project") + PROJECT_SUFFIX))
            chosen, _ = QFileDialog.getSaveFileName(self.w, "Save project", start, f"Projects (*{PROJECT_SUFFIX})")
            if not chosen:
                return False
            path = Path(chosen if chosen.endswith(PROJECT_SUFFIX) else chosen + PROJECT_SUFFIX)
        return self.save_project_to(path)

    def save_project_to(self, path: str | Path) -> bool:
        doc = self.w.doc
        try:
            from workbench.core.session import Session

            session = Session(audio=doc.audio, layers=list(doc.layers))
            session.save(path)
        except ImportError:
            self.error("Save project", "Project files are not supported by this build (workbench.core.session missing).")
            return False
        except Exception as exc:
            self.error("Save project", f"Cannot save '{path}': {exc}")
            return False
        doc.project_path = Path(path)
        doc.undo_stack.setClean()
        self.w.statusBar().showMessage(f"Saved {path}", 5000)
        return True

    # ----- export ------------------------------------------------------------------------------------
    def export_layer(self, layer) -> None:
        if layer is None:
            self.error("Export", "Select a layer in the Layers panel first.")
            return
        try:
            from workbench.core.export import supported_formats

            formats = list(supported_formats(layer))
        except ImportError:
            self.error("Export", "Export is not available in this build (workbench.core.export missing).")
            return
        filters = ";;".join(f"{f.upper().lstrip('.')} (*{f if f.startswith('.') else '.' + f})" for f in formats)
        start = str(Path(self.w.store.last_folder()) / layer.name)
        path, _ = QFileDialog.getSaveFileName(self.w, f"Export {layer.name}", start, filters)
        if path:
            self.export_to([layer], path)

    def export_all(self) -> None:
        if not self.w.doc.layers:
            self.error("Export", "There are no layers to export yet.")
            return
        start = str(Path(self.w.store.last_folder()) / ((self.w.doc.audio.name or "layers") + ".jams"))
        path, _ = QFileDialog.getSaveFileName(self.w, "Export all layers", start, "JAMS (*.jams)")
        if path:
            self.export_to(list(self.w.doc.layers), path)

    def export_to(self, layers, path: str) -> bool:
        try:
            from workbench.core.export import export_layers

            export_layers(layers, path, self.w.doc.audio)
        except ImportError:
            self.error("Export", "Export is not available in this build (workbench.core.export missing).")
            return False
        except Exception as exc:
            self.error("Export", f"Cannot export to '{path}': {exc}")
            return False
        self.w.statusBar().showMessage(f"Exported {path}", 5000)
        return True
