"""Jobs panel: every plugin run, queued, running or finished, with its progress and a Cancel button; and
the provisional layers that a running job has drawn so far (``ctx.emit``), replaced by its final result."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QScrollArea, QVBoxLayout, QWidget)

from workbench.core.jobs import JobState

from .job_bridge import JobBridge


class _JobRow(QWidget):
    def __init__(self, job, parent: QWidget | None = None):
        super().__init__(parent)
        self.job = job
        self.title = QLabel(job.title)
        self.title.setMinimumWidth(90)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setValue(0)  # a bar never set shows no text at all
        self.bar.setTextVisible(True)
        self.cancel = QPushButton("Cancel")
        self.cancel.setObjectName("jobCancel")
        self.cancel.clicked.connect(self._cancel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(2, 1, 2, 1)
        lay.addWidget(self.title)
        lay.addWidget(self.bar, 1)
        lay.addWidget(self.cancel)
        self.update_state()

    def _cancel(self) -> None:
        self.job.cancel()
        self.bar.setFormat("cancelling…")
        self.cancel.setEnabled(False)

    def update_state(self) -> None:
        job = self.job
        state = job.state
        if state == JobState.QUEUED:
            self.bar.setFormat(job.text or "queued")
        elif state == JobState.RUNNING:
            self.bar.setValue(int(job.fraction * 1000))
            self.bar.setFormat(f"{job.text or 'running'} · %p%")
        elif state == JobState.DONE:
            self.bar.setValue(1000)
            self.bar.setFormat(job.ctx.summary or f"done in {job.elapsed:.1f} s")
        elif state == JobState.CANCELLED:
            kept = len(job.result or [])
            self.bar.setFormat(f"cancelled; kept {kept} partial layer(s)" if kept else "cancelled")
        else:
            self.bar.setFormat(f"failed: {job.error}")
            self.bar.setToolTip(job.error)
        self.cancel.setEnabled(not state.finished)


class JobsPanel(QWidget):
    """One row per job of ``bridge`` (newest at the bottom); "Clear finished" drops the finished rows."""

    def __init__(self, bridge: JobBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.rows: dict[str, _JobRow] = {}
        self.list = QWidget()
        self.list_layout = QVBoxLayout(self.list)
        self.list_layout.setContentsMargins(0, 0, 0, 0)
        self.list_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.list)
        self.empty = QLabel("No jobs yet: runs from the Plugins panel appear here.")
        self.clear_button = QPushButton("Clear finished")
        self.clear_button.clicked.connect(self.clear_finished)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.empty)
        lay.addWidget(scroll, 1)
        lay.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignRight)
        queued = Qt.ConnectionType.QueuedConnection
        bridge.submitted.connect(self._added)
        bridge.progress.connect(lambda job_id, *_: self._update(job_id), queued)
        bridge.finished.connect(self._update, queued)
        for job_id in bridge.jobs:
            self._added(job_id)

    def _added(self, job_id: str) -> None:
        job = self.bridge.jobs.get(job_id)
        if job is None or job_id in self.rows:
            return
        row = self.rows[job_id] = _JobRow(job)
        self.list_layout.insertWidget(self.list_layout.count() - 1, row)
        self.empty.hide()

    def _update(self, job_id: str) -> None:
        row = self.rows.get(job_id)
        if row is not None:
            row.update_state()

    def clear_finished(self) -> None:
        for job_id, row in list(self.rows.items()):
            if row.job.state.finished:
                self.rows.pop(job_id)
                row.setParent(None)
                row.deleteLater()
        self.empty.setVisible(not self.rows)


class PartialLayers(QObject):
    """Shows a running job's partial layers in the document without undo entries, replacing them at each
    update; ``clear(job_id)`` takes them away when the job's final layers (or none) arrive."""

    def __init__(self, doc, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = doc
        self.shown: dict[str, list] = {}

    def show(self, job_id: str, layers: list) -> None:
        self.clear(job_id)
        for layer in layers:
            layer.metadata["partial"] = True
            self.doc._insert(layer)  # provisional: not an undoable edit, replaced by the final result
        self.shown[job_id] = list(layers)

    def clear(self, job_id: str) -> None:
        for layer in self.shown.pop(job_id, []):
            if layer in self.doc.layers:
                self.doc._remove(layer)
