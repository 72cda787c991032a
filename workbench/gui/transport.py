"""Transport: play/pause/stop, loop, A/B source switch with loudness matching, output device, moving cursor.

:class:`PlaybackController` drives the Qt-free :class:`Player` and polls its position with a 30 Hz timer
(never blocking the GUI thread); :class:`TransportBar` is its toolbar.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QToolBar, QToolButton, QWidget

from .axes import format_time
from .player import Player, output_devices

ORIGINAL = "Original"
SPEEDS = (0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0)


class PlaybackController(QObject):
    """Signals: ``position(seconds)`` while playing or after a seek, ``state(playing)``, ``error(text)``."""

    position = Signal(float)
    state = Signal(bool)
    error = Signal(str)
    sources_changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.player: Player | None = None
        self.device = None
        self.timer = QTimer(self, interval=33)  # ~30 Hz cursor
        self.timer.timeout.connect(self._tick)
        self._was_playing = False
        self.speed = 1.0

    def set_audio(self, audio) -> None:
        self.close()
        self.player = Player(audio.sample_rate, channels=min(2, max(1, audio.channels)), device=self.device)
        self.player.add_source(ORIGINAL, audio.samples)
        if self.speed != 1.0:
            self.set_speed(self.speed)
        self.sources_changed.emit()
        self.position.emit(0.0)

    def add_track(self, name: str, buffer, offset: float = 0.0) -> None:
        """A derived track (stem, processed audio), resampled to the original's rate when needed."""
        if self.player is None:
            return
        if buffer.sample_rate != self.player.sample_rate:
            buffer = buffer.resample(self.player.sample_rate)
        self.player.add_source(name, buffer.samples, offset)
        self.sources_changed.emit()

    def remove_track(self, name: str) -> None:
        if self.player is not None and name in self.player.sources and name != ORIGINAL:
            self.player.remove_source(name)
            self.sources_changed.emit()

    def sources(self) -> list[str]:
        return list(self.player.sources) if self.player else []

    @property
    def playing(self) -> bool:
        return bool(self.player and self.player.playing)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def play(self) -> bool:
        if self.player is None:
            return False
        ok = self.player.play()
        if not ok:
            self.error.emit(self.player.error)
        else:
            self.timer.start()
        self._emit_state()
        return ok

    def pause(self) -> None:
        if self.player:
            self.player.pause()
            self._tick()
        self._emit_state()

    def stop(self) -> None:
        if self.player:
            self.player.stop()
            self.position.emit(self.player.position)
        self.timer.stop()
        self._emit_state()

    def seek(self, seconds: float) -> None:
        if self.player:
            self.player.seek(seconds)
            self.position.emit(self.player.position)

    def scrub(self, seconds: float) -> None:
        """The playhead is being dragged: play a short grain there (see Player.scrub)."""
        if self.player is None:
            return
        if not self.player.scrub(seconds) and self.player.error:
            self.error.emit(self.player.error)
        self.position.emit(self.player.position)

    def end_scrub(self) -> None:
        if self.player is not None:
            self.player.end_scrub()
            self.position.emit(self.player.position)
        self._emit_state()

    def set_speed(self, speed: float) -> bool:
        """Playback speed (0.25x-2x, pitch kept); False (with ``error`` emitted) when it cannot be had."""
        from workbench.core.errors import WorkbenchError

        self.speed = float(speed)
        if self.player is None:
            return True
        try:
            self.player.set_speed(speed)
        except WorkbenchError as exc:
            self.speed = 1.0
            self.error.emit(str(exc))
            return False
        return True

    def set_loop(self, span: tuple[float, float] | None) -> None:
        if self.player:
            self.player.set_loop(*(span or (None, None)))

    def set_active(self, name: str) -> None:
        if self.player and name in self.player.sources:
            self.player.set_active(name)

    def set_device(self, device) -> None:
        self.device = device
        if self.player:
            self.player.set_device(device)

    def close(self) -> None:
        if self.player is not None:
            self.player.close()
        self.timer.stop()

    def _emit_state(self) -> None:
        playing = self.playing
        if playing != self._was_playing:
            self._was_playing = playing
            self.state.emit(playing)

    def _tick(self) -> None:
        if self.player is None:
            return
        self.position.emit(self.player.position)
        if not self.player.playing:
            self.timer.stop()
            self._emit_state()


class TransportBar(QToolBar):
    """Play/Pause, Stop, Loop, time, A/B source, loudness matching and output device."""

    def __init__(self, controller: PlaybackController, parent: QWidget | None = None):
        super().__init__("Transport", parent)
        self.setObjectName("transportBar")
        self.controller = controller
        self.play_button = QToolButton(text="▶  Play")
        self.play_button.setObjectName("playButton")
        self.play_button.setToolTip("Play / pause (Space)")
        self.play_button.clicked.connect(controller.toggle)
        self.stop_button = QToolButton(text="■  Stop")
        self.stop_button.clicked.connect(controller.stop)
        self.loop = QCheckBox("Loop selection")
        self.time_label = QLabel(format_time(0))
        self.time_label.setObjectName("timeLabel")
        self.source = QComboBox()
        self.source.setObjectName("abSource")
        self.source.setToolTip("A/B: what you hear (switches at the same position)")
        self.source.currentTextChanged.connect(lambda name: name and controller.set_active(name))
        self.speed = QComboBox()
        self.speed.setObjectName("speedCombo")
        self.speed.setToolTip("Playback speed, pitch kept ([ slower, ] faster)")
        for v in SPEEDS:
            self.speed.addItem(f"{v:g}×", v)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(self._speed_changed)
        self.match = QComboBox()
        self.match.addItems(["No level match", "Match RMS", "Match loudness (LUFS)"])
        self.match.setToolTip("Loudness matching of derived tracks to the original")
        self.match.currentIndexChanged.connect(self._match_changed)
        self.device = QComboBox()
        self.device.setToolTip("Output device")
        self.device.setMinimumWidth(140)
        self.refresh_devices()
        self.device.currentIndexChanged.connect(lambda i: controller.set_device(self.device.itemData(i)))
        for w in (self.play_button, self.stop_button, self.loop, self.time_label, self.speed):
            self.addWidget(w)
        self.addSeparator()
        self.addWidget(QLabel(" A/B "))
        self.addWidget(self.source)
        self.addWidget(self.match)
        self.addSeparator()
        self.addWidget(QLabel(" Output "))
        self.addWidget(self.device)
        controller.state.connect(self._state)
        controller.position.connect(lambda t: self.time_label.setText(format_time(t)))
        controller.sources_changed.connect(self.refresh_sources)

    def refresh_sources(self) -> None:
        current = self.source.currentText()
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItems(self.controller.sources())
        if current in self.controller.sources():
            self.source.setCurrentText(current)
        self.source.blockSignals(False)
        if self.source.currentText():
            self.controller.set_active(self.source.currentText())

    def refresh_devices(self) -> None:
        devices, problem = output_devices()
        self.device.blockSignals(True)
        self.device.clear()
        self.device.addItem("System default", None)
        for idx, name in devices:
            self.device.addItem(name, idx)
        self.device.setEnabled(not problem)
        self.device.blockSignals(False)

    def select_device(self, name: str) -> None:
        i = self.device.findText(name)
        if i >= 0:
            self.device.setCurrentIndex(i)

    def _speed_changed(self, i: int) -> None:
        if not self.controller.set_speed(self.speed.itemData(i)):
            self.speed.blockSignals(True)
            self.speed.setCurrentIndex(SPEEDS.index(1.0))
            self.speed.blockSignals(False)

    def step_speed(self, steps: int) -> None:
        """One speed step slower (-1) or faster (+1)."""
        self.speed.setCurrentIndex(max(0, min(len(SPEEDS) - 1, self.speed.currentIndex() + steps)))

    def _match_changed(self, i: int) -> None:
        if self.controller.player:
            self.controller.player.set_loudness_matching(("off", "rms", "lufs")[i])

    def _state(self, playing: bool) -> None:
        self.play_button.setText("❚❚  Pause" if playing else "▶  Play")
