""""Learn this timbre": train a DDSP timbre model on a recording, with progress, a live loss curve and cancel.

Training runs in a worker thread (the Qt-free job runner). Loss values travel to the GUI thread through the
``loss_reported`` signal (queued across threads); ``training_finished(state)`` tells "done", "cancelled" or
"failed". The trained model is saved in the user timbre folder (or ``out_dir``) and appears in the DDSP plugin's
timbre list the next time plugins are discovered.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QDialog, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from workbench.core.audio import AudioBuffer
from workbench.core.jobs import Job, JobRunner

from workbench.gui.job_bridge import JobBridge, JobProgressView  # the host's Qt bridge for core jobs


class DDSPTrainDialog(QDialog, JobProgressView):
    loss_reported = Signal(int, float)  # step, loss (emitted from the worker thread)
    training_finished = Signal(str)

    def __init__(self, parent: QWidget | None = None, audio: AudioBuffer | None = None,
                 out_dir: str | Path | None = None, runner: JobRunner | None = None, model_config=None):
        super().__init__(parent)
        import pyqtgraph as pg

        self.setWindowTitle("Learn this timbre (DDSP)")
        self.audio = audio
        self.out_dir = Path(out_dir) if out_dir else None
        self.model_config = model_config  # a DDSPConfig (None: the default size)
        self.bridge = JobBridge(runner or JobRunner(max_workers=1), self)
        self.bridge.progress.connect(self._on_progress)
        self.bridge.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self.loss_reported.connect(self._on_loss)
        self.job: Job | None = None
        self.steps_seen: list[int] = []
        self.losses: list[float] = []
        self.saved_path: Path | None = None
        self.heldout_loss = float("nan")

        self.source_label = QLabel(self._describe_audio())
        self.choose_button = QPushButton("Choose recording…")
        self.choose_button.clicked.connect(self._choose_file)
        self.name_edit = QLineEdit(audio.name if audio is not None and audio.name else "my_timbre")
        self.steps_spin = QSpinBox()
        self.steps_spin.setRange(1, 100000)
        self.steps_spin.setValue(1000)
        self.plot = pg.PlotWidget(title="training loss (multi-scale spectral)")
        self.plot.setLabel("bottom", "step")
        self.plot.setLabel("left", "loss")
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#2a82da", width=2))
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.status = QLabel("")
        self.start_button = QPushButton("Start training")
        self.cancel_button = QPushButton("Cancel")
        self.close_button = QPushButton("Close")
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.accept)

        form = QFormLayout()
        src = QHBoxLayout()
        src.addWidget(self.source_label, 1)
        src.addWidget(self.choose_button)
        form.addRow("Recording", src)
        form.addRow("Timbre name", self.name_edit)
        form.addRow("Training steps", self.steps_spin)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Train a timbre model on a recording of one monophonic instrument (a minute or "
                                "more works best; several minutes on the CPU)."))
        layout.addLayout(form)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self._set_running(False)

    def _describe_audio(self) -> str:
        if self.audio is None:
            return "no recording chosen"
        return f"{self.audio.name or 'audio'} ({self.audio.duration:.1f} s)"

    def _choose_file(self) -> None:
        from workbench.core.audio_io import load_audio

        path, _ = QFileDialog.getOpenFileName(self, "Recording of one instrument", "",
                                              "Audio (*.wav *.flac *.ogg *.mp3 *.aif *.aiff)")
        if path:
            self.audio = load_audio(path)
            self.source_label.setText(self._describe_audio())
            self.name_edit.setText(Path(path).stem)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.choose_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    # -- actions -------------------------------------------------------------------------------------------
    def start(self) -> Job | None:
        """Start training on the chosen recording in the background."""
        if self.audio is None:
            self.status.setText("Choose a recording first")
            return None
        from workbench_plugins.ddsp.model import save_model
        from workbench_plugins.ddsp.timbres import user_timbre_dir
        from workbench_plugins.ddsp.train import train_timbre

        name = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.name_edit.text().strip()) or "timbre"
        steps, audio, config = self.steps_spin.value(), self.audio, self.model_config
        out_dir = self.out_dir or user_timbre_dir()
        emit = self.loss_reported.emit

        def work(ctx):
            def on_step(step: int, total: int, loss: float) -> None:
                emit(step, loss)
                ctx.progress(step / total, f"step {step}/{total}, loss {loss:.3f}")

            res = train_timbre(audio.mono_samples, audio.sample_rate, name=name, steps=steps, device=ctx.device,
                               config=config, on_step=on_step, cancelled=ctx.cancelled, ctx=ctx)
            res.model.config.training.update(data=f"recording '{audio.name}' ({audio.duration:.1f} s)",
                                             command="GUI: Learn this timbre")
            path, _ = save_model(res.model, out_dir / f"ddsp_{name}")
            return path, res.heldout_loss

        self.steps_seen.clear()
        self.losses.clear()
        self.curve.setData([], [])
        self.progress.setValue(0)
        self.status.setText("analysing pitch and loudness…")
        self._set_running(True)
        self.job = self.bridge.submit(f"Learn timbre {name}", work)
        return self.job

    def cancel(self) -> None:
        if self.job is not None and not self.job.state.finished:
            self.job.cancel()
            self.status.setText("cancelling…")

    # -- signals (GUI thread) ------------------------------------------------------------------------------
    def _on_loss(self, step: int, loss: float) -> None:
        self.steps_seen.append(step)
        self.losses.append(loss)
        self.curve.setData(np.asarray(self.steps_seen), np.asarray(self.losses))

    def _on_finished(self, job_id: str) -> None:
        if self.job is None or job_id != self.job.id:
            return
        state = self.job.state.value
        if state == "done":
            self.saved_path, self.heldout_loss = self.job.result
            self.progress.setValue(1000)
            self.status.setText(f"Saved {self.saved_path.name}; held-out loss {self.heldout_loss:.3f}")
        elif state == "cancelled":
            self.status.setText("Training cancelled; nothing was saved")
        else:
            self.status.setText(self.job.error)
        self._set_running(False)
        self.training_finished.emit(state)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt name
        self.cancel()
        super().closeEvent(event)


def open_dialog(parent, host) -> DDSPTrainDialog:
    """``Widget`` contribution factory: train on the host's open recording."""
    doc = getattr(host, "doc", None)
    return DDSPTrainDialog(parent=parent, audio=getattr(doc, "audio", None))
