"""Loading audio files (and projects) in a worker thread so big files never freeze the window.

Audio files are decoded block by block (:func:`workbench.core.audio_stream.stream_load`): ``on_preview``
gets the length and the waveform decoded so far while the rest decodes, so the window answers at once."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from PySide6.QtCore import QObject, Signal

from workbench.core.audio_stream import stream_load
from workbench.core.errors import WorkbenchError


class _Signals(QObject):
    done = Signal(int, object)
    failed = Signal(int, str)
    preview = Signal(int, object)


class _LoadTask:
    """One load, run in the loader's worker thread; its result reaches the GUI thread through ``signals``."""

    def __init__(self, token: int, path: str, signals: _Signals, fn: Callable[[str], object] | None = None):
        self.token, self.path, self.signals, self.fn = token, path, signals, fn

    def run(self) -> None:
        try:
            if self.fn is None:
                audio = stream_load(self.path, lambda p: self._emit(self.signals.preview, p))
            else:
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
        # A Python thread, not a QThreadPool: a QThreadPool's destructor waits for its threads, so freeing the
        # window (garbage collection, File > New) froze the GUI thread until a load under way had finished.
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="audio-loader")
        self.signals = _Signals()
        self.signals.done.connect(self._done)
        self.signals.failed.connect(self._failed)
        self.signals.preview.connect(self._preview)
        self._pending: dict[int, tuple[Callable, Callable]] = {}
        self._previews: dict[int, Callable] = {}
        self._ids = itertools.count(1)

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def load(self, path: str, on_done: Callable[[object], None], on_failed: Callable[[str], None],
             fn: Callable[[str], object] | None = None,
             on_preview: Callable[[object], None] | None = None) -> None:
        """Run ``fn(path)`` (default: decode the audio file block by block) in the worker; WorkbenchError
        messages go to ``on_failed``. ``on_preview(DecodePreview)``: while the default decoder runs."""
        token = next(self._ids)
        self._pending[token] = (on_done, on_failed)
        if on_preview is not None:
            self._previews[token] = on_preview
        if len(self._pending) == 1:
            self.busy_changed.emit(True)
        self.pool.submit(_LoadTask(token, str(path), self.signals, fn).run)

    def close(self) -> None:
        """The window is closing: loads not started are dropped (one under way finishes, unheard)."""
        self._pending.clear()
        self._previews.clear()
        self.pool.shutdown(wait=False, cancel_futures=True)

    def _preview(self, token: int, preview) -> None:
        cb = self._previews.get(token)
        if cb is not None and token in self._pending:
            cb(preview)

    def _done(self, token: int, audio) -> None:
        self._previews.pop(token, None)
        on_done, _ = self._pending.pop(token, (None, None))
        self._finish()
        if on_done:
            on_done(audio)

    def _failed(self, token: int, message: str) -> None:
        self._previews.pop(token, None)
        _, on_failed = self._pending.pop(token, (None, None))
        self._finish()
        if on_failed:
            on_failed(message)

    def _finish(self) -> None:
        if not self._pending:
            self.busy_changed.emit(False)
