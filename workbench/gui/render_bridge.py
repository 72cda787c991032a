"""Background spectrogram rendering for the views: the newest request wins, stale ones are dropped.

The GUI thread only calls :meth:`RenderBridge.request`; one worker thread runs ``SpectrogramProvider.render``
and emits ``ready`` (this QObject lives in the GUI thread, so GUI slots receive it through queued connections).
A render that is no longer the newest request is told to stop via its ``cancelled`` callback and its result
is dropped. A long render sends partial images (``image.complete`` False) before the complete one. Plain Python threads are used on purpose: no Qt object is created or deleted off the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from workbench.core.errors import JobCancelled

log = logging.getLogger(__name__)

PARTIAL_EVERY = 0.2  # s between progressive images while a view is being computed


@dataclass(frozen=True)
class RenderRequest:
    """What to draw: settings, time span (s) and width in pixels; ``serial`` orders requests."""

    serial: int
    settings: Any
    t0: float
    t1: float
    width_px: int
    channel: int | None = None


class RenderBridge(QObject):
    """Owns a provider and a render thread; ``ready(request, image)``, ``failed(request, message)``,
    ``overview_ready(envelope)`` arrive in the GUI thread."""

    ready = Signal(object, object)
    failed = Signal(object, str)
    overview_ready = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.provider = None
        self._render_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spectrogram-render")
        self._overview_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="spectrogram-overview")
        self._lock = threading.Lock()
        self._serial = 0
        self._pending: RenderRequest | None = None
        self._busy = False
        self._closed = False
        self.latest: RenderRequest | None = None
        self._failed_serial = -1  # a failed request is not deduplicated: asking again retries it

    def set_provider(self, provider) -> None:
        with self._lock:
            self.provider = provider
            self._serial += 1  # anything in flight is for the old file
            self._pending = None
            self.latest = None

    def request(self, settings, t0: float, t1: float, width_px: int, channel: int | None = None) -> RenderRequest | None:
        """Ask for an image; returns at once. Only the newest request is delivered."""
        if self.provider is None or t1 <= t0 or width_px <= 0 or self._closed:
            return None
        with self._lock:
            last = self.latest
            if (last is not None and last.serial == self._serial and last.serial != self._failed_serial
                    and (last.settings, last.t0, last.t1, last.width_px, last.channel)
                    == (settings, float(t0), float(t1), int(width_px), channel)):
                return last  # the same image is in flight or shown: restarting it would only cancel it
            self._serial += 1
            req = RenderRequest(self._serial, settings, float(t0), float(t1), int(width_px), channel)
            self.latest = req
            if self._busy:
                self._pending = req  # the worker picks it up when the current render ends
                return req
            self._busy = True
        self._render_pool.submit(self._render_loop, req, self.provider)
        return req

    def refresh(self) -> None:
        """Render the newest request again: the audio under it grew (a file still decoding). Skipped while a
        render runs, so a stream of refreshes never cancels the image in progress: the next one asks again."""
        with self._lock:
            last, provider = self.latest, self.provider
            if last is None or provider is None or self._busy or self._closed or last.serial != self._serial:
                return
            self._serial += 1
            req = replace(last, serial=self._serial)
            self.latest = req
            self._busy = True
        self._render_pool.submit(self._render_loop, req, provider)

    def request_overview(self, width_px: int) -> None:
        provider = self.provider
        if provider is not None and not self._closed:
            self._overview_pool.submit(self._overview, provider, int(width_px))

    def is_stale(self, req: RenderRequest) -> bool:
        return req.serial != self._serial

    # ----- worker thread -----------------------------------------------------------------------------
    def _render_loop(self, req: RenderRequest, provider) -> None:
        while req is not None:
            self._render_one(req, provider)
            with self._lock:
                req, self._pending = self._pending, None
                provider = self.provider
                if req is None or provider is None or self.is_stale(req):
                    self._busy = False
                    return

    def _render_one(self, req: RenderRequest, provider) -> None:
        if self.is_stale(req) or self._closed:
            return
        try:
            # Progressive: while tiles are computed (a zoomed-out view of a long file pools all its frames),
            # the tiles done so far are shown every PARTIAL_EVERY s; the complete image follows.
            def partial(image) -> None:
                if not self.is_stale(req):
                    self._emit(self.ready, req, image)

            image = provider.render(req.settings, req.t0, req.t1, req.width_px, channel=req.channel,
                                    cancelled=lambda: self.is_stale(req) or self._closed,
                                    on_partial=partial, partial_every=PARTIAL_EVERY)
        except JobCancelled:
            return
        except Exception as exc:  # never let a render error kill the worker; the window shows it
            if not self.is_stale(req):
                log.exception("spectrogram render failed")
                self._failed_serial = req.serial
                self._emit(self.failed, req, f"{type(exc).__name__}: {exc}")
            return
        if not self.is_stale(req) and image is not None:
            self._emit(self.ready, req, image)

    def _overview(self, provider, width: int) -> None:
        try:
            env = np.asarray(provider.overview(width), dtype=np.float32)
        except Exception:
            log.exception("overview failed")
            return
        if provider is self.provider:
            self._emit(self.overview_ready, env)

    def _emit(self, signal, *args) -> None:
        if self._closed:
            return
        try:
            signal.emit(*args)
        except RuntimeError:  # the bridge was deleted (window closed) meanwhile
            pass

    # ----- shutdown ----------------------------------------------------------------------------------
    def wait(self, timeout: float = 5.0) -> bool:
        """Wait until the render worker is idle (tests and shutdown only)."""
        import time

        end = time.monotonic() + timeout
        while self._busy and time.monotonic() < end:
            time.sleep(0.01)
        return not self._busy

    def close(self) -> None:
        """Stop rendering (the window is closing)."""
        self._closed = True
        self.set_provider(None)
        self._render_pool.shutdown(wait=False, cancel_futures=True)
        self._overview_pool.shutdown(wait=False, cancel_futures=True)
