"""Cover-search library dialog: add a folder of music or rescan the library, with progress and cancel.

Analysis runs in a worker thread (the Qt-free job runner); the worker opens its own SQLite connection. The
dialog emits ``scan_finished(state)`` with "done", "cancelled" or "failed" when a scan ends.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QFileDialog, QHBoxLayout, QLabel, QListWidget, QProgressBar, QPushButton,
                               QVBoxLayout, QWidget)

from workbench.core.jobs import Job, JobRunner

from workbench.gui.job_bridge import JobBridge, JobProgressView  # the host's Qt bridge for core jobs


class LibraryDialog(QDialog, JobProgressView):
    scan_finished = Signal(str)
    identify_finished = Signal(str)  # "done" (matches in ``last_matches``) or "failed"

    def __init__(self, parent: QWidget | None = None, library_path: str | Path | None = None,
                 runner: JobRunner | None = None):
        super().__init__(parent)
        from workbench_plugins.cover_search.library import default_library_path

        self.setWindowTitle("Cover-search library")
        self.library_path = Path(library_path) if library_path else default_library_path()
        self.bridge = JobBridge(runner or JobRunner(max_workers=1), self)
        self.bridge.progress.connect(self._on_progress)
        self.bridge.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self.job: Job | None = None
        self.job_kind = "scan"
        self.last_report = None
        self.last_matches: list[dict] | None = None

        self.path_label = QLabel(str(self.library_path))
        self.count_label = QLabel()
        self.folder_list = QListWidget()
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("")
        self.add_button = QPushButton("Add folder…")
        self.rescan_button = QPushButton("Rescan")
        self.cancel_button = QPushButton("Cancel scan")
        self.identify_button = QPushButton("Identify a file…")
        self.identify_button.setToolTip("Which library recording is this clip from, and where? (fingerprints)")
        self.identify_button.clicked.connect(self._choose_clip)
        self.close_button = QPushButton("Close")
        self.add_button.clicked.connect(self._choose_folder)
        self.rescan_button.clicked.connect(self.rescan)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.accept)

        buttons = QHBoxLayout()
        for b in (self.add_button, self.rescan_button, self.cancel_button, self.identify_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Library file:"))
        layout.addWidget(self.path_label)
        layout.addWidget(self.count_label)
        layout.addWidget(QLabel("Folders:"))
        layout.addWidget(self.folder_list)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._set_running(False)
        self.refresh()

    # -- state ---------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read folders and track count from the database."""
        from workbench_plugins.cover_search.library import Library

        with Library(self.library_path) as lib:
            folders, count = lib.folders(), len(lib)
        self.folder_list.clear()
        self.folder_list.addItems(folders)
        self.count_label.setText(f"{count} track{'s' if count != 1 else ''} analysed")

    @property
    def running(self) -> bool:
        return self.job is not None and not self.job.state.finished

    def _set_running(self, running: bool) -> None:
        self.add_button.setEnabled(not running)
        self.rescan_button.setEnabled(not running)
        self.identify_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    # -- actions -------------------------------------------------------------------------------------------
    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a folder of music")
        if folder:
            self.add_folder(folder)

    def add_folder(self, folder: str | Path) -> Job:
        """Add ``folder`` and analyse its audio files in the background."""
        return self._start(f"Adding {Path(folder).name}", folder)

    def rescan(self) -> Job:
        """Re-analyse changed files of every library folder in the background."""
        return self._start("Rescanning the library", None)

    def _choose_clip(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Identify a recording")
        if path:
            self.identify_file(path)

    def identify_file(self, clip: str | Path) -> Job:
        """Find the library recording ``clip`` comes from (and the offset) in the background."""
        from workbench.core.audio_io import load_audio
        from workbench_plugins.cover_search.identify import identify
        from workbench_plugins.cover_search.library import Library

        path = self.library_path

        def work(ctx):
            buf = load_audio(clip)
            ctx.progress(0.3, "fingerprinting")
            with Library(path) as lib:
                return identify(lib.db, str(lib.path), buf.mono_samples, buf.sample_rate)

        self.job_kind = "identify"
        self.progress.setValue(0)
        self.status.setText(f"Identifying {Path(clip).name}…")
        self._set_running(True)
        self.job = self.bridge.submit(f"Identify {Path(clip).name}", work)
        return self.job

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("cancelling…")

    def _start(self, title: str, folder) -> Job:
        from workbench_plugins.cover_search.library import Library

        path = self.library_path

        def work(ctx):
            with Library(path) as lib:  # own connection: SQLite objects stay in their thread
                if folder is not None:
                    return lib.add_folder(folder, progress=ctx.progress, cancelled=ctx.cancelled)
                return lib.scan(progress=ctx.progress, cancelled=ctx.cancelled)

        self.job_kind = "scan"
        self.progress.setValue(0)
        self.status.setText(title + "…")
        self._set_running(True)
        self.job = self.bridge.submit(title, work)
        return self.job

    # -- job signals (GUI thread) --------------------------------------------------------------------------
    def _on_finished(self, job_id: str) -> None:
        if self.job is None or job_id != self.job.id:
            return
        job, state = self.job, self.job.state.value
        if self.job_kind == "identify":
            self._identified(job, state)
            return
        if state == "done":
            r = self.last_report = job.result
            self.progress.setValue(1000)
            self.status.setText(f"{r.analysed} analysed, {r.unchanged} unchanged, {r.removed} removed, "
                                f"{r.failed} unreadable ({r.seconds:.1f} s)")
        elif state == "cancelled":
            self.status.setText("Scan cancelled; the tracks analysed so far are kept")
        else:
            self.status.setText(job.error)
        self._set_running(False)
        self.refresh()
        self.scan_finished.emit(state)

    def _identified(self, job: Job, state: str) -> None:
        self._set_running(False)
        if state == "done":
            self.last_matches = job.result
            self.progress.setValue(1000)
            if job.result:
                best = job.result[0]
                self.status.setText(f"Match: {Path(best['path']).name} at {best['offset_s']:.2f} s "
                                    f"(score {best['score']})")
            else:
                self.status.setText("No match in the library")
        else:
            self.status.setText(job.error or state)
        self.identify_finished.emit(state)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.cancel()
        super().closeEvent(event)


def open_dialog(parent, host) -> LibraryDialog:
    """``Widget`` contribution factory."""
    return LibraryDialog(parent=parent)
