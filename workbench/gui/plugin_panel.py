"""Plugin panel: pick a plugin, fill its generated form, run it on the file or the selection.

Runs go through :class:`JobBridge` (worker threads); progress and the result arrive as Qt signals.
Results become layers (undoable); failures are shown in a message box and the app keeps working.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QRadioButton,
                               QScrollArea, QVBoxLayout, QWidget)

from workbench.core.errors import WorkbenchError
from workbench.core.jobs import JobState

from .job_bridge import JobBridge
from .layer_time import shift_layer
from .param_form import ParamForm

log = logging.getLogger(__name__)


class PluginPanel(QWidget):
    """Emits ``layers_ready(layers, title)`` when a run succeeds; ``job_state(text)`` for the status bar."""

    layers_ready = Signal(list, str)
    job_state = Signal(str)
    error_shown = Signal(str)

    def __init__(self, registry, bridge: JobBridge, get_audio, get_selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.registry, self.bridge = registry, bridge
        self.get_audio, self.get_selection = get_audio, get_selection
        self.form: ParamForm | None = None
        self.job = None
        self._job_offset = 0.0
        self.error_box: QMessageBox | None = None

        self.combo = QComboBox()
        self.combo.setObjectName("pluginCombo")
        for m in registry:
            self.combo.addItem(f"{m.name}", m.id)
        self.combo.currentIndexChanged.connect(self._plugin_changed)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setObjectName("pluginDescription")
        self.form_area = QScrollArea()
        self.form_area.setWidgetResizable(True)
        self.form_area.setFrameShape(QScrollArea.Shape.NoFrame)
        self.whole = QRadioButton("Whole file")
        self.selection = QRadioButton("Selection")
        self.whole.setChecked(True)
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runButton")
        self.run_button.clicked.connect(self.run)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.setValue(0)
        self.progress.setFormat("idle")
        self.status = QLabel("")
        self.status.setWordWrap(True)

        scope = QHBoxLayout()
        scope.addWidget(QLabel("Run on:"))
        scope.addWidget(self.whole)
        scope.addWidget(self.selection)
        scope.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addWidget(self.combo)
        lay.addWidget(self.description)
        lay.addWidget(self.form_area, 1)
        lay.addLayout(scope)
        lay.addLayout(buttons)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        # Queued even when emitted from this thread: a job that ends at once must not finish before run() returns.
        bridge.progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        bridge.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._plugin_changed()
        for name, why in getattr(registry, "problems", {}).items():
            log.warning("plugin %s unavailable: %s", name, why)

    # ----- plugin choice -----------------------------------------------------------------------------
    def manifest(self):
        pid = self.combo.currentData()
        return self.registry.get(pid) if pid else None

    def select_plugin(self, plugin_id: str) -> None:
        idx = self.combo.findData(plugin_id)
        if idx < 0:
            raise KeyError(plugin_id)
        self.combo.setCurrentIndex(idx)

    def _plugin_changed(self) -> None:
        m = self.manifest()
        if m is None:
            self.description.setText("No plugins found.")
            self.run_button.setEnabled(False)
            return
        outs = ", ".join(m.outputs)
        self.description.setTextFormat(Qt.TextFormat.RichText)
        self.description.setText((m.description + "<br>" if m.description else "") + f"<i>outputs: {outs}</i>")
        self.form = ParamForm(m.params)
        self.form_area.setWidget(self.form)
        self.run_button.setEnabled(self.job is None)

    # ----- running -----------------------------------------------------------------------------------
    def run(self) -> None:
        m, audio = self.manifest(), self.get_audio()
        if m is None:
            return
        needs_audio = "audio" in m.inputs
        if audio is None and needs_audio:
            self.show_error("Open an audio file first.")
            return
        self._job_offset = 0.0
        if self.selection.isChecked() and audio is not None:
            sel = self.get_selection()
            if not sel:
                self.show_error("Select a time span first (drag on the spectrogram), or run on the whole file.")
                return
            audio = audio.slice(*sel)
            self._job_offset = sel[0]
        try:
            self.job = self.bridge.submit_plugin(m, audio, self.form.values() if self.form else {})
        except WorkbenchError as exc:
            self.show_error(str(exc))
            return
        except Exception as exc:  # never let a bad plugin take the window down
            log.exception("could not start plugin")
            self.show_error(f"Could not start {m.name}: {type(exc).__name__}: {exc}")
            return
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.progress.setFormat(f"{m.name}: starting…")
        self.job_state.emit(f"{m.name}: running")

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.progress.setFormat("cancelling…")

    def _on_progress(self, job_id: str, fraction: float, text: str) -> None:
        if self.job is None or job_id != self.job.id:
            return
        self.progress.setValue(int(fraction * 1000))
        self.progress.setFormat(f"{text or self.job.title} · %p%")
        self.job_state.emit(f"{self.job.title}: {int(fraction * 100)}%")

    def _on_finished(self, job_id: str) -> None:
        job = self.job
        if job is None or job_id != job.id:
            return
        self.job = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if job.state == JobState.DONE:
            layers = [shift_layer(layer, self._job_offset) for layer in (job.result or [])]
            self.progress.setValue(1000)
            self.progress.setFormat(f"{job.title}: done in {job.elapsed:.1f} s")
            self.status.setText(f"{len(layers)} layer(s) added")
            self.job_state.emit(f"{job.title}: done")
            self.layers_ready.emit(layers, job.title)
        elif job.state == JobState.CANCELLED:
            self.progress.setValue(0)
            self.progress.setFormat(f"{job.title}: cancelled")
            self.job_state.emit(f"{job.title}: cancelled")
        else:
            self.progress.setValue(0)
            self.progress.setFormat(f"{job.title}: failed")
            self.job_state.emit(f"{job.title}: failed")
            self.show_error(job.error or "The plugin failed.", job.details)

    def show_error(self, message: str, details: str = "") -> None:
        """A non-blocking message box (the window stays responsive)."""
        self.status.setText(message)
        box = QMessageBox(QMessageBox.Icon.Warning, "Plugin", message, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.error_box = box
        self.error_shown.emit(message)
