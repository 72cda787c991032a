"""File menu: open (dialog, drag-and-drop, recent files), projects (save/open), export of layers.

Unsaved work is never dropped silently: opening or dropping a file, File > New and closing the window first
ask Save / Discard / Cancel when the document has changes (:meth:`FileActions.confirm_discard`; the question
is a window-modal box, so nothing blocks). A project is read completely (and validated) in the background
before the current document is replaced; a project whose audio moved offers to locate it (``relink_audio``).
"""

from __future__ import annotations

import logging
from pathlib import Path

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox

from workbench.core.audio_io import AUDIO_EXTENSIONS
from workbench.core.layers import Tracks

from .annotation_files import AnnotationFiles
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
        self.annotations = AnnotationFiles(window, self.loader)  # import, export into a folder
        self.unsaved_box: QMessageBox | None = None  # the open Save/Discard/Cancel question, if any
        self.relink_box: QMessageBox | None = None  # the open "audio is missing: locate it?" question
        self.close_confirmed = False  # the user already said the window may close
        from .autosave import Autosaver

        self.autosave = Autosaver(window)  # unsaved work every minute; a crash's leftovers offered at start
        QTimer.singleShot(0, self.autosave.offer_recovery)

    def build_menu(self, menu: QMenu) -> None:
        w = self.w
        w._act(menu, "&New", self.new_document, QKeySequence.StandardKey.New)
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
        w._act(menu, "Export all layers into a &folder…", self.annotations.export_folder_dialog)
        w._act(menu, "&Import annotations…", self.annotations.import_dialog, "Ctrl+I")
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

    # ----- unsaved changes ---------------------------------------------------------------------------
    def has_unsaved_changes(self) -> bool:
        """Layers or edits since the last save/open, or audio that exists nowhere on disk (a recording)."""
        doc = self.w.doc
        if doc.audio is None:
            return False
        if not doc.undo_stack.isClean():
            return True
        return getattr(doc.audio, "source", None) is None and doc.project_path is None

    def confirm_discard(self, then: Callable[[], None], action: str = "continue") -> bool:
        """Run ``then`` now when nothing would be lost; else ask Save / Discard / Cancel and run it after
        Save (if the save worked) or Discard. Returns True when ``then`` already ran."""
        if not self.has_unsaved_changes():
            then()
            return True
        if self.unsaved_box is not None:  # already asking
            return False
        name = self.w.doc.project_path.name if self.w.doc.project_path else (self.w.doc.audio.name or "untitled")
        box = QMessageBox(QMessageBox.Icon.Warning, "Unsaved changes",
                          f"'{name}' has changes that are not saved in a project. Save them before you {action}?",
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.w)
        box.setDefaultButton(QMessageBox.StandardButton.Save)
        box.setWindowModality(Qt.WindowModality.WindowModal)

        def answered(button) -> None:
            self.unsaved_box = None
            role = box.standardButton(button)
            if role == QMessageBox.StandardButton.Save:
                if self.save_project():
                    then()
            elif role == QMessageBox.StandardButton.Discard:
                self.autosave.discard()  # the user gave that work up: do not offer it back after a crash
                then()

        box.buttonClicked.connect(answered)
        box.rejected.connect(lambda: setattr(self, "unsaved_box", None))
        self.unsaved_box = box
        box.open()
        return False

    def confirm_close(self) -> bool:
        """For the window's closeEvent: True when it may close now; else the question is open and, once
        answered with Save (and saved) or Discard, closes the window."""
        if self.close_confirmed or not self.has_unsaved_changes():
            self.autosave.timer.stop()
            self.autosave.discard()  # closed on purpose: nothing to recover next time
            return True

        def close() -> None:
            self.close_confirmed = True
            QTimer.singleShot(0, self.w.close)

        self.confirm_discard(close, "close the window")
        return False

    def new_document(self) -> None:
        """File > New: a fresh, empty window in place of this one (after the unsaved-changes question)."""

        def replace() -> None:
            from PySide6.QtWidgets import QApplication

            fresh = type(self.w)(registry=self.w.registry, settings=self.w.store)
            app = QApplication.instance()
            windows = app.property("workbench_windows") or []
            app.setProperty("workbench_windows", [*windows, fresh])  # keep it alive
            fresh.show()
            self.close_confirmed = True
            self.w.close()
            self.w.new_window = fresh

        self.confirm_discard(replace, "start a new document")

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
        self.confirm_discard(lambda: self._open_now(paths), "open another file")
        return True

    def _open_now(self, paths: list[str]) -> bool:
        first, rest = paths[0], paths[1:]
        if first.endswith(PROJECT_SUFFIX):
            return self._open_project_now(first, rest)
        self.w.statusBar().showMessage(f"Opening {Path(first).name}…")

        def loaded(audio) -> None:
            self.w.show_audio(audio)
            self._remember(first)
            self.w.statusBar().clearMessage()
            self.w.file_opened.emit(first)
            for p in rest:
                self.add_track(p)

        def failed(msg: str) -> None:
            self.w.decoding.abandon()
            self.error("Open", msg)

        self.loader.load(first, loaded, failed, on_preview=self.w.show_decode_preview)
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
        self.confirm_discard(lambda: self._open_project_now(path, then), "open another project")
        return True

    def _open_project_now(self, path: str, then: list[str] | None = None) -> bool:
        from workbench.core.session import Session

        def loaded(session) -> None:
            if session.audio is None and session.audio_missing and session.audio_path is not None:
                self._offer_relink(path, session, then)
                return
            if session.audio is None:
                self.error("Open project", f"The project '{path}' has no audio.")
                return
            self._show_session(path, session, then)

        self.w.statusBar().showMessage(f"Opening project {Path(path).name}…")
        # The whole project is read and validated in the worker; only then is the current document replaced.
        self.loader.load(path, loaded, lambda msg: self.error("Open project", msg),
                         fn=lambda p: Session.load(p, missing_audio_ok=True))
        return True

    def _show_session(self, path: str, session, then: list[str] | None = None, relinked: bool = False,
                      remember: bool = True) -> None:
        try:
            self.w.show_audio(session.audio)
            self.w.doc.add_layers(list(session.layers), "Open project")
            from .view_state import restore_view_state

            restore_view_state(self.w, getattr(session, "view_state", {}))  # zoom, scroll, view settings
        except Exception as exc:  # a layer the views cannot show: say so instead of a half-open window
            log.exception("showing project %s", path)
            self.error("Open project", f"Cannot show project '{path}': {exc}")
            return
        self.w.doc.undo_stack.clear()
        self.w.doc.project_path = Path(path)
        if relinked:
            self.w.doc.undo_stack.resetClean()  # the new audio location is not saved yet
        if remember:
            self._remember(path)
        self.w.statusBar().clearMessage()
        if session.warnings:
            self.error("Open project", "The project opened with problems:\n" + "\n".join(session.warnings))
        self.w.file_opened.emit(str(path))
        for p in then or []:
            self.add_track(p)

    def recover(self, autosave: Path, project: Path | None) -> None:
        """Open what a crashed session autosaved; it stays unsaved (belonging to ``project``) until saved."""
        from workbench.core.session import Session

        from .autosave import remove_autosave

        def loaded(session) -> None:
            if session.audio is None:
                self.error("Recover", f"The autosaved work in '{autosave}' has no audio: "
                           + "; ".join(session.warnings or ["nothing to recover"]))
                return
            self._show_session(str(autosave), session, relinked=True, remember=False)
            self.w.doc.project_path = project
            remove_autosave(autosave)  # now in this window, which autosaves it again under its own name

        self.w.statusBar().showMessage("Recovering unsaved work…")
        self.loader.load(str(autosave), loaded, lambda msg: self.error("Recover", msg),
                         fn=lambda p: Session.load(p, missing_audio_ok=True))

    def _offer_relink(self, path: str, session, then: list[str] | None) -> None:
        """The project's audio is not where it was: let the user point at it (or give up)."""
        missing = session.audio_path
        box = QMessageBox(QMessageBox.Icon.Warning, "Open project",
                          f"The audio of project '{Path(path).name}' is missing: '{missing}'. "
                          "Locate the file (e.g. where it was moved)?",
                          QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Cancel, self.w)
        box.button(QMessageBox.StandardButton.Open).setText("Locate…")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.last_error = box.text()
        self.w.statusBar().clearMessage()

        def answered(button) -> None:
            self.relink_box = None
            if box.standardButton(button) != QMessageBox.StandardButton.Open:
                return
            start = str(missing.parent if missing.parent.is_dir() else Path(self.w.store.last_folder()))
            found, _ = QFileDialog.getOpenFileName(self.w, f"Locate {missing.name}", start, AUDIO_FILTER)
            if not found:
                return

            def relink(p: str):
                session.relink_audio(p)
                return session

            self.w.statusBar().showMessage(f"Opening {Path(found).name}…")
            self.loader.load(found, lambda s: self._show_session(path, s, then, relinked=True),
                             lambda msg: self.error("Open project", msg), fn=relink)

        box.buttonClicked.connect(answered)
        self.relink_box = box
        box.open()

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

            from .view_state import capture_view_state

            session = Session(audio=doc.audio, layers=list(doc.layers))
            session.view_state = capture_view_state(self.w)
            session.save(path)
        except ImportError:
            self.error("Save project", "Project files are not supported by this build (workbench.core.session missing).")
            return False
        except Exception as exc:
            self.error("Save project", f"Cannot save '{path}': {exc}")
            return False
        doc.project_path = Path(path)
        doc.undo_stack.setClean()
        self.autosave.discard()
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
            from workbench.core.export.atomic import protected_inputs

            with protected_inputs(self.w.doc.path):  # an export never replaces the document's own audio
                export_layers(layers, path, self.w.doc.audio)
        except ImportError:
            self.error("Export", "Export is not available in this build (workbench.core.export missing).")
            return False
        except Exception as exc:
            self.error("Export", f"Cannot export to '{path}': {exc}")
            return False
        self.w.statusBar().showMessage(f"Exported {path}", 5000)
        return True
