"""Loading audio files (and projects) in a worker thread so big files never freeze the window."""

from __future__ import annotations

import itertools
from typing import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from workbench.core.audio_io import load_audio
from workbench.core.errors import WorkbenchError


class _Signals(QObject):
    done = Signal(int, object)
    failed = Signal(int, str)


class _LoadTask(QRunnable):
    def __init__(self, token: int, path: str, signals: _Signals, fn: Callable[[str], object] = load_audio):
        super().__init__()
        self.token, self.path, self.signals, self.fn = token, path, signals, fn

    def run(self) -> None:
        try:
            audio = self.fn(self.path)
        except WorkbenchError as exc:
            self._emit(self.signals.failed, str(exc))
            return
        except Exception as exc:  # decoder crashes become messages too
            self._emit(self.signals.failed, f"Cannot open '{self.path}': {type(exc).__name__}: {exc}")
            return
        self._emit(self.signals.done, audio)

    def _emit(self, signal, value) -> None:
        try:
            signal.emit(self.token, value)
        except RuntimeError:  # the window was closed while the file was loading
            pass


class AudioLoader(QObject):
    """``load(path, on_done, on_failed)``: the callbacks run in the GUI thread. ``busy`` while loading."""

    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.signals = _Signals()
        self.signals.done.connect(self._done)
        self.signals.failed.connect(self._failed)
        self._pending: dict[int, tuple[Callable, Callable]] = {}
        self._ids = itertools.count(1)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def load(self, path: str, on_done: Callable[[object], None], on_failed: Callable[[str], None],
             fn: Callable[[str], object] = load_audio) -> None:
        """Run ``fn(path)`` (default: load_audio) in the worker; WorkbenchError messages go to ``on_failed``."""
        token = next(self._ids)
        self._pending[token] = (on_done, on_failed)
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self.pool.start(_LoadTask(token, str(path), self.signals, fn))

    def _done(self, token: int, audio) -> None:
        on_done, _ = self._pending.pop(token, (None, None))
        self._finish()
        if on_done:
            on_done(audio)

    def _failed(self, token: int, message: str) -> None:
        _, on_failed = self._pending.pop(token, (None, None))
        self._finish()
        if on_failed:
            on_failed(message)

    def _finish(self) -> None:
        if not self._pending:
            self.busy_changed.emit(False)
