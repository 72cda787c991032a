"""Plugin panel: pick a plugin, fill its generated form, run it on the file or the selection.

Runs go through :class:`JobBridge` (worker threads); progress and the result arrive as Qt signals.
Several runs may go at once (Run stays enabled; the Jobs panel lists them); partial layers a run hands out
arrive as ``partial_ready``. Results become layers (undoable); failures are shown in a message box and the
app keeps working.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QRadioButton,
                               QScrollArea, QVBoxLayout, QWidget)

from workbench.core.errors import WorkbenchError
from workbench.core.jobs import JobState
from workbench.core.layer_time import shift_layer

from .job_bridge import JobBridge
from .param_form import ParamForm

log = logging.getLogger(__name__)


class PluginPanel(QWidget):
    """Emits ``layers_ready(layers, title)`` when a run succeeds; ``job_state(text)`` for the status bar."""

    layers_ready = Signal(list, str)
    partial_ready = Signal(str, list)  # job id, its layers so far (replacing the previous ones)
    job_ended = Signal(str)  # job id: emitted before its final layers (if any) arrive
    job_state = Signal(str)
    error_shown = Signal(str)

    def __init__(self, registry, bridge: JobBridge, get_audio, get_selection, parent: QWidget | None = None):
        super().__init__(parent)
        self.registry, self.bridge = registry, bridge
        self.get_audio, self.get_selection = get_audio, get_selection
        self.form: ParamForm | None = None
        self.job = None  # the newest running job (the progress bar and Cancel follow it)
        self._job_offset = 0.0
        self._offsets: dict[str, float] = {}  # running jobs: where their input starts on the document clock
        self._shifted: dict[str, set] = {}  # ids of partial layers already moved onto the document clock
        self.error_box: QMessageBox | None = None
        self.input_choice = None  # a PluginInput (see set_input_choice): Input = document or any track

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
        bridge.partial.connect(self._on_partial, Qt.ConnectionType.QueuedConnection)
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
        self.run_button.setEnabled(True)  # another run may start while jobs are going

    def set_input_choice(self, widget) -> None:
        """Show ``widget`` (a PluginInput) above "Run on:"; runs then take their audio from it."""
        self.input_choice = widget
        lay = self.layout()
        for i in range(lay.count()):
            item = lay.itemAt(i)
            if item.layout() is not None and any(
                    item.layout().itemAt(j).widget() is self.whole for j in range(item.layout().count())):
                lay.insertWidget(i, widget)
                return
        lay.addWidget(widget)

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
        if self.input_choice is not None and audio is not None:  # the document or any track, maybe the box
            try:
                audio, self._job_offset = self.input_choice.resolve(self.selection.isChecked(), self.get_selection())
            except WorkbenchError as exc:
                self.show_error(str(exc))
                return
        elif self.selection.isChecked() and audio is not None:
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
        self._offsets[self.job.id] = self._job_offset
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

    def _on_partial(self, job_id: str) -> None:
        job = self.bridge.jobs.get(job_id)
        if job is None or job_id not in self._offsets or job.state.finished:
            return
        done = self._shifted.setdefault(job_id, set())
        layers = list(job.partial)
        for layer in layers:
            if id(layer) not in done:
                shift_layer(layer, self._offsets[job_id])
                done.add(id(layer))
        self.partial_ready.emit(job_id, layers)

    def _on_finished(self, job_id: str) -> None:
        if job_id not in self._offsets:
            return
        job = self.bridge.jobs[job_id]
        offset = self._offsets.pop(job_id)
        shifted = self._shifted.pop(job_id, set())
        self.job_ended.emit(job_id)
        if job is self.job:  # the progress bar and Cancel move on to the newest job still running
            running = [self.bridge.jobs[j] for j in self._offsets]
            self.job = running[-1] if running else None
        self.cancel_button.setEnabled(self.job is not None)
        if job.state == JobState.CANCELLED and job.result:  # cancel keeps what was done
            layers = [layer if id(layer) in shifted else shift_layer(layer, offset) for layer in job.result]
            self.status.setText(f"{job.title}: cancelled, kept {len(layers)} partial layer(s)")
            self.layers_ready.emit(layers, f"{job.title} (partial)")
        if job.state == JobState.DONE:
            layers = [shift_layer(layer, offset) for layer in (job.result or [])]
            self.progress.setValue(1000)
            self.progress.setFormat(f"{job.title}: {job.ctx.summary or f'done in {job.elapsed:.1f} s'}")
            self.status.setText(f"{len(layers)} layer(s) added")
            self.job_state.emit(f"{job.title}: {job.ctx.summary or 'done'}")
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
