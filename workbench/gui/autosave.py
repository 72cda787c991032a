"""Autosave and crash recovery, like Audacity's: unsaved work is written to a private project every minute and
offered back when the workbench starts after it did not close properly.

Each window autosaves to its own ``autosave/session-<pid>-<token>.awproj`` in the settings folder (the audio is
referenced by path; audio that exists nowhere else and Tracks layers are written beside it, content-named, so
unchanged stems are not rewritten). A sidecar ``.json`` records the process id, the time and the project the
document belongs to. A clean close, a save or a discarded document removes the window's autosave; files left by a
process that is no longer running are what a crash left, and the next start offers to recover them. Only files
this module wrote (the project's own ``owned`` list) are ever removed.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QMessageBox

log = logging.getLogger(__name__)
INTERVAL_MS = 60_000


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # exists but is not ours
    return True


def remove_autosave(project: Path) -> None:
    """Delete an autosave project, the audio files it lists as its own, and its sidecar."""
    from workbench.core.session import tracks_folder

    folder = tracks_folder(project)
    try:
        owned = json.loads(project.read_text(encoding="utf-8")).get("owned") or []
    except (OSError, ValueError, AttributeError):
        owned = []
    for rel in owned:
        f = folder / Path(str(rel)).name
        if f.parent == folder and not f.is_symlink() and f.is_file():
            f.unlink(missing_ok=True)
    for p in (project, project.with_suffix(".json")):
        p.unlink(missing_ok=True)
    try:
        folder.rmdir()
    except OSError:
        pass


def leftovers(folder: Path) -> list[tuple[Path, dict]]:
    """Autosaves of processes that are no longer running (newest first), with their sidecar info."""
    found = []
    for info_path in folder.glob("session-*.json"):
        project = info_path.with_suffix(".awproj")
        try:
            info = json.loads(info_path.read_text(encoding="utf-8"))
            pid = int(info.get("pid", 0))
        except (OSError, ValueError, TypeError, AttributeError):
            continue
        if project.is_file() and pid != os.getpid() and not _alive(pid):
            found.append((project, info))
    return sorted(found, key=lambda item: -float(item[1].get("saved", 0)))


class Autosaver(QObject):
    """Autosave for one window (``window.files`` decides what counts as unsaved)."""

    def __init__(self, window, folder: Path | None = None, interval_ms: int = INTERVAL_MS):
        super().__init__(window)
        self.w = window
        self.folder = Path(folder) if folder else Path(window.store.q.fileName()).parent / "autosave"
        self.path = self.folder / f"session-{os.getpid()}-{secrets.token_hex(4)}.awproj"
        self.recovery_box: QMessageBox | None = None
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.save_now)
        self.timer.start(interval_ms)

    def save_now(self) -> bool:
        """Write the unsaved document to this window's autosave; False when there was nothing to save."""
        from workbench.core.errors import WorkbenchError
        from workbench.core.session import Session

        doc = self.w.doc
        if not self.w.files.has_unsaved_changes():
            return False
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            Session(audio=doc.audio, layers=list(doc.layers)).save(self.path)
            info = {"pid": os.getpid(), "saved": time.time(),
                    "project": str(doc.project_path) if doc.project_path else "",
                    "name": getattr(doc.audio, "name", "") or "untitled"}
            self.path.with_suffix(".json").write_text(json.dumps(info), encoding="utf-8")
        except (WorkbenchError, OSError) as exc:  # autosave must never disturb the user's work
            log.warning("autosave to %s failed: %s", self.path, exc)
            return False
        return True

    def discard(self) -> None:
        """The document was saved, discarded or closed cleanly: its autosave is no longer needed."""
        remove_autosave(self.path)

    def offer_recovery(self) -> None:
        """At start: when a crashed session left an autosave, ask whether to recover it (window-modal)."""
        found = leftovers(self.folder)
        if not found or self.recovery_box is not None:
            return
        project, info = found[0]
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(float(info.get("saved", 0))))
        box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved work",
                          f"Audio Workbench did not close properly. Recover the unsaved work on "
                          f"'{info.get('name', 'untitled')}' from {when}?",
                          QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.w)
        box.button(QMessageBox.StandardButton.Open).setText("Recover")
        box.setWindowModality(Qt.WindowModality.WindowModal)

        def answered(button) -> None:
            self.recovery_box = None
            role = box.standardButton(button)
            if role == QMessageBox.StandardButton.Discard:
                remove_autosave(project)
            elif role == QMessageBox.StandardButton.Open:
                self.w.files.recover(project, Path(info["project"]) if info.get("project") else None)

        box.buttonClicked.connect(answered)
        self.recovery_box = box
        box.open()
