"""The live panel: microphone capture with a scrolling spectrogram, recording and live plugins.

A self-contained widget. A ~60 Hz QTimer drains the capture's ring buffer (:class:`LiveSession.poll`) and draws
the new columns, the waveform, the level, the dropout counter and the live plugins' layers (pitch curve over
the spectrogram, transcript text, separation latency). Models load in a background thread so the GUI never
waits on them. When a recording ends (Stop, Record off, or a device fault) ``recording_finished(AudioBuffer)``
is emitted, and ``layers_finished(list)`` with the live layers placed on the recording's time axis.
"""

from __future__ import annotations

import copy
import queue
import threading

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QLabel, QProgressBar,
                               QPushButton, QVBoxLayout, QWidget)

from workbench.core.errors import WorkbenchError
from workbench.core.layers import Curve, Segments

from .live_view import LiveView

RATES = (16000, 22050, 44100, 48000)


class LivePanel(QWidget):
    recording_finished = Signal(object)  # AudioBuffer
    layers_finished = Signal(list)  # live layers of the recording (times from its start)
    message = Signal(str)  # user-facing status / error text
    updated = Signal()  # after each timer drain that brought new audio

    def __init__(self, parent=None, blocksize: int = 512):
        super().__init__(parent)
        self.blocksize = blocksize
        self.session = None
        self.players: dict = {}  # monitor processor id -> OutputPlayer
        from workbench.live.live_plugins import live_offers

        self.offers = {o.id: o for o in live_offers()}  # what the installed plugins contribute
        self.pitch_layers: list[Curve] = []
        self.final_segments: list[Segments] = []
        self.event_layers: list = []
        self.partial_text = ""
        self._loaded: queue.Queue = queue.Queue()
        self._loading: set[str] = set()
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(16)  # ~60 Hz
        self.timer.timeout.connect(self._tick)
        self.refresh_devices()

    # -- widgets ---------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.device_combo = QComboBox()
        self.rate_combo = QComboBox()
        for r in RATES:
            self.rate_combo.addItem(f"{r} Hz", r)
        self.rate_combo.setCurrentIndex(RATES.index(48000))
        self.kind_combo = QComboBox()
        self.kind_combo.addItem("STFT", "stft")
        self.kind_combo.addItem("Mel", "mel")
        self.start_button = QPushButton("Start")
        self.start_button.setObjectName("runButton")
        self.start_button.clicked.connect(self.toggle_capture)
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.toggled.connect(self.set_paused)
        self.record_button = QPushButton("● Record")
        self.record_button.setCheckable(True)
        self.record_button.toggled.connect(self.set_recording)
        self.level = QProgressBar()
        self.level.setRange(-600, 0)  # tenths of dBFS
        self.level.setTextVisible(False)
        self.level.setMaximumHeight(10)
        self.dropout_label = QLabel("dropouts: 0")
        self.status_label = QLabel("")
        self.status_label.setWordWrap(True)
        self.checks = {}
        for name, offer in self.offers.items():
            box = QCheckBox(offer.title)
            box.setToolTip(f"{offer.plugin.name}: runs live on the captured audio")
            box.setChecked(offer.processor.default)
            box.toggled.connect(lambda on, n=name: self.set_plugin(n, on))
            self.checks[name] = box
        self.latency_label = QLabel("")
        self.transcript_label = QLabel("")
        self.events_label = QLabel("")
        self.transcript_label.setWordWrap(True)
        self.transcript_label.setTextFormat(Qt.TextFormat.RichText)
        self.view = LiveView(self)
        self.scale_combo = QComboBox()
        self.scale_combo.setToolTip("Frequency scale of the live spectrogram (as in the file view)")
        self.scale_combo.addItems(["linear", "log", "mel", "note"])
        self.scale_combo.setCurrentText(self.view.scale)
        self.scale_combo.currentTextChanged.connect(self.view.set_scale)

        top = QGridLayout()
        top.addWidget(QLabel("Input"), 0, 0)
        top.addWidget(self.device_combo, 0, 1, 1, 3)
        top.addWidget(self.rate_combo, 0, 4)
        top.addWidget(self.kind_combo, 0, 5)
        top.addWidget(self.scale_combo, 0, 6)
        top.addWidget(self.start_button, 1, 0)
        top.addWidget(self.pause_button, 1, 1)
        top.addWidget(self.record_button, 1, 2)
        top.addWidget(self.level, 1, 3, 1, 2)
        top.addWidget(self.dropout_label, 1, 5)
        plugins = QGridLayout()  # as many live processors as the plugins contribute: wrap them in rows
        per_row = 5
        for i, box in enumerate(self.checks.values()):
            plugins.addWidget(box, i // per_row, i % per_row)
        plugins.addWidget(self.latency_label, len(self.checks) // per_row + 1, 0, 1, per_row)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(plugins)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.transcript_label)
        layout.addWidget(self.events_label)
        layout.addWidget(self.status_label)
        self._set_running(False)

    def refresh_devices(self) -> None:
        from workbench.live.capture import input_devices

        self.device_combo.clear()
        try:
            for d in input_devices():
                self.device_combo.addItem(f"{d.name}{' (default)' if d.is_default else ''}", d.index)
        except WorkbenchError as exc:
            self._show(str(exc), error=True)
        if self.device_combo.count() == 0:
            self._show("No audio input device was found.", error=True)

    def _set_running(self, running: bool) -> None:
        self.start_button.setText("Stop" if running else "Start")
        for w in (self.device_combo, self.rate_combo, self.kind_combo):
            w.setEnabled(not running)
        self.pause_button.setEnabled(running)

    def _show(self, text: str, error: bool = False) -> None:
        self.status_label.setStyleSheet("color: #ff6b6b;" if error else "")
        self.status_label.setText(text)
        self.message.emit(text)

    # -- capture control -------------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.session is not None

    def toggle_capture(self) -> None:
        self.stop() if self.running else self.start()

    def start(self) -> bool:
        """Open the selected device and start capturing; shows the reason and returns False when it cannot."""
        from workbench.live.session import LiveSession

        if self.running:
            return True
        try:
            session = LiveSession(self.device_combo.currentData(), int(self.rate_combo.currentData()),
                                  self.blocksize, spectrogram=self.kind_combo.currentData())
            session.start()
        except WorkbenchError as exc:
            self._show(str(exc), error=True)
            return False
        self.session = session
        sp = session.spectrogram
        self.view.db_range = sp.db_range  # the file view's dB scale: a full-scale sine at the top
        self.view.reset(session.sample_rate, sp.frequencies, sp.hop, sp.n_fft, sp.kind)
        self.pitch_layers, self.final_segments, self.partial_text = [], [], ""
        self.event_layers = []
        self._update_transcript()
        self._update_events()
        if self.record_button.isChecked():
            session.start_recording()
        for name, box in self.checks.items():
            if box.isChecked():
                self._load_plugin(name)
        self._set_running(True)
        self._show(f"Capturing from {session.capture.device.name} at {session.sample_rate} Hz")
        self.timer.start()
        return True

    def stop(self) -> None:
        """Stop capturing; a recording in progress is finished and emitted."""
        if not self.running:
            return
        self.timer.stop()
        session, self.session = self.session, None
        recording = session.recorder.recording
        start = session.recorder.start_time
        buffer = session.stop()
        self._apply_layers(session.final_layers)
        self._close_player()
        self._set_running(False)
        if recording:
            self._emit_recording(buffer, start)
        if not session.fault:
            self._show("Stopped")

    def set_paused(self, paused: bool) -> None:
        if self.session is not None:
            self.session.paused = paused

    def set_recording(self, on: bool) -> None:
        if self.record_button.isChecked() != on:
            self.record_button.setChecked(on)  # re-enters through toggled
            return
        if self.session is None:
            return
        if on:
            self.session.start_recording()
        elif self.session.recorder.recording:
            start = self.session.recorder.start_time
            self._emit_recording(self.session.finish_recording(), start)

    def _emit_recording(self, buffer, start: float) -> None:
        if buffer is None:
            return
        self.recording_finished.emit(buffer)
        end = start + buffer.duration
        layers = [_shift(layer, -start) for layer in self.pitch_layers + self.final_segments + self.event_layers
                  if layer.time_span[1] >= start and layer.time_span[0] <= end]
        self.layers_finished.emit(layers)

    # -- live plugins ----------------------------------------------------------------------------------------
    def set_plugin(self, name: str, on: bool) -> None:
        if self.checks[name].isChecked() != on:
            self.checks[name].setChecked(on)
            return
        if self.session is None:
            return
        if on:
            self._load_plugin(name)
        else:
            self._apply_layers(self.session.remove_driver(name))
            self._close_player(name)

    def _load_plugin(self, name: str) -> None:
        """Build the processor in a background thread; the timer adds it to the session when ready."""
        if name in self._loading or (self.session and name in self.session.drivers):
            return
        self._loading.add(name)
        self._show(f"Loading live {self.offers[name].title.lower()}…")
        offer = self.offers[name]

        def load():
            from workbench.live import live_plugins
            from workbench.live.monitor import OutputPlayer

            try:
                proc = live_plugins.make_processor(name)
                if offer.processor.monitor:  # its audio is played as it comes
                    player = OutputPlayer(sample_rate=int(getattr(proc, "output_rate", 44100)))
                    self.players[name] = player
                    proc.on_output = lambda block, t0, player=player: player.write(block)
                self._loaded.put((name, proc, ""))
            except Exception as exc:  # shown to the user; capture goes on
                self._loaded.put((name, None, str(exc)))

        threading.Thread(target=load, name=f"load-live-{name}", daemon=True).start()

    def _close_player(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.players):
            player = self.players.pop(key, None)
            if player is not None:
                player.close()

    def _take_loaded(self) -> None:
        while True:
            try:
                name, proc, error = self._loaded.get_nowait()
            except queue.Empty:
                return
            self._loading.discard(name)
            title = self.offers[name].title
            if error:
                self.checks[name].setChecked(False)
                self._show(f"Live {title.lower()} unavailable: {error}", error=True)
            elif self.session is not None and self.checks[name].isChecked():
                self.session.add_driver(name, proc, self.offers[name].processor.hop_s)
                self._show(f"Live {title.lower()} running")
            else:
                self._close_player(name)

    def _apply_layers(self, pairs) -> None:
        for name, layer in pairs:
            if isinstance(layer, Curve):
                self.pitch_layers.append(layer)
                self.view.add_pitch(layer.times, layer.values, layer.voiced)
            elif layer.kind == "events":  # live sound events (the sed plugin's live processor)
                self.event_layers.append(layer)
                if hasattr(self.view, "add_events"):
                    self.view.add_events(layer)
                self._update_events()
            elif layer.kind == "matches" and layer.matches:  # live song identification (cover_search)
                best = layer.matches[0]
                offset = f" at {best.alignment[0][1]:.1f} s" if best.alignment else ""
                self._show(f"Identified: {best.title or best.item}{offset} (score {best.score:g})")
            elif isinstance(layer, Segments):
                if layer.metadata.get("partial"):
                    self.partial_text = layer.text
                else:
                    self.partial_text = ""
                    if layer.kind == "words":
                        self.final_segments.append(layer)
                        self.view.add_words(layer)  # onto the live timeline's lane too
                self._update_transcript()

    def _update_events(self) -> None:
        recent = [(t, label) for layer in self.event_layers[-20:]
                  for t, label in zip(layer.starts, layer.labels)][-6:]
        self.events_label.setText("  ".join(f"{label} @ {t:.1f} s" for t, label in recent))

    def _update_transcript(self) -> None:
        final = " ".join(w.text for w in self.final_segments)
        partial = f" <i style='color:#8b8f97'>{self.partial_text}</i>" if self.partial_text else ""
        self.transcript_label.setText(final + partial)

    @property
    def transcript_text(self) -> str:
        """Final words so far plus the partial text of the utterance in progress."""
        return " ".join([w.text for w in self.final_segments] + ([self.partial_text] if self.partial_text else []))

    # -- the drain -------------------------------------------------------------------------------------------
    def _tick(self) -> None:
        session = self.session
        if session is None:
            return
        self._take_loaded()
        update = session.poll()
        self.view.add_columns(update.columns, update.first_column)
        if len(update.samples):
            self.view.add_samples(update.samples, update.start_time)
        self._apply_layers(update.layers)
        self.view.redraw()
        self.level.setValue(int(max(-60.0, update.level_db) * 10))
        self.dropout_label.setText(f"dropouts: {session.dropouts}")
        self._show_latency(session)
        for name, driver in list(session.drivers.items()):
            if driver.error:
                session.remove_driver(name)
                self.checks[name].setChecked(False)
                self._show(driver.error, error=True)
        if update.fault:
            self._on_fault(update.fault)
        elif len(update.samples):
            self.updated.emit()

    def _show_latency(self, session) -> None:
        parts = []
        for name, driver in session.drivers.items():
            title = self.offers[name].title.split(" (")[0].lower() if name in self.offers else name
            player = self.players.get(name)
            if player is not None:  # a monitor: processing + output buffering
                added = getattr(driver.processor, "added_latency", 0.0) + player.queued_seconds + player.output_latency
                parts.append(f"{title} +{1000 * added:.0f} ms")
            elif driver.latencies:
                parts.append(f"{title} {1000 * np.median(driver.latencies[-50:]):.0f} ms")
        self.latency_label.setText(", ".join(parts))

    def _on_fault(self, fault: str) -> None:
        """The device failed: keep the recording, stop cleanly, say what happened."""
        self._show(fault, error=True)
        self.stop()
        self._show(fault, error=True)

    def closeEvent(self, event) -> None:
        self.stop()
        super().closeEvent(event)


def _shift(layer, dt: float):
    """A copy of ``layer`` with its times moved by ``dt`` seconds."""
    out = copy.copy(layer)
    for attr in ("times", "starts", "ends"):
        if hasattr(out, attr) and getattr(out, attr) is not None:
            setattr(out, attr, np.asarray(getattr(out, attr)) + dt)
    return out
