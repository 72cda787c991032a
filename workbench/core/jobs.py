"""Qt-free job queue: plugin runs in a thread pool with progress, cancellation, partial results and clear errors.

Several jobs run at once: CPU jobs in parallel (up to ``max_workers``), while jobs on a GPU wait for that
device (one at a time per device: two models on one card would fight for its memory). One job failing or being
cancelled leaves the others alone. A job's ``partial`` holds the latest layers its plugin handed to
``ctx.emit`` (drawn while it runs); a cancelled job keeps them as its result.

Thread rules: listeners (``on_progress``, ``on_emit``, ``on_done``) are called from the worker thread; the GUI
wraps them in Qt signals to hop to its own thread. ``Job.cancel`` may be called from any thread.
"""

from __future__ import annotations

import contextlib
import enum
import logging
import threading
import time
import traceback
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable

from .errors import JobCancelled, PluginError, WorkbenchError
from .plugin_api import JobContext

log = logging.getLogger(__name__)


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def finished(self) -> bool:
        return self in (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


@dataclass(eq=False)
class Job:
    """One unit of background work (usually a plugin run) and its observable state."""

    title: str
    fn: Callable[[JobContext], Any]
    ctx: JobContext
    id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    state: JobState = JobState.QUEUED
    fraction: float = 0.0
    text: str = ""
    result: Any = None
    error: str = ""  # user-facing message when FAILED
    details: str = ""  # traceback for the log / "details" button
    started_at: float = 0.0
    finished_at: float = 0.0
    partial: list = field(default_factory=list)  # the latest layers given to ctx.emit while running
    gate: Any = None  # device -> context manager held while the job runs (JobRunner: one job per GPU)
    _done: threading.Event = field(default_factory=threading.Event)
    _progress_listeners: list = field(default_factory=list)
    _emit_listeners: list = field(default_factory=list)
    _done_listeners: list = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cancel(self) -> None:
        """Ask the job to stop; a queued job never starts, a running one stops at its next check."""
        self.ctx.cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until finished (True) or timeout (False). Not for the GUI thread."""
        return self._done.wait(timeout)

    @property
    def elapsed(self) -> float:
        end = self.finished_at or time.monotonic()
        return end - self.started_at if self.started_at else 0.0

    def on_progress(self, listener: Callable[["Job"], None]) -> None:
        self._progress_listeners.append(listener)

    def on_emit(self, listener: Callable[["Job"], None]) -> None:
        """Call ``listener(job)`` each time the plugin hands out partial layers (they are in ``job.partial``)."""
        self._emit_listeners.append(listener)

    def _partial(self, layers: list) -> None:
        if self.state.finished:
            return
        self.partial = list(layers)
        for cb in list(self._emit_listeners):
            _safe_call(cb, self)

    def on_done(self, listener: Callable[["Job"], None]) -> None:
        """Call ``listener(job)`` once the job is finished (immediately if it already is)."""
        with self._lock:
            if not self._done.is_set():
                self._done_listeners.append(listener)
                return
        listener(self)

    def _report(self, fraction: float, text: str) -> None:
        self.fraction, self.text = fraction, text
        for cb in list(self._progress_listeners):
            _safe_call(cb, self)

    def _run(self) -> None:
        self.started_at = time.monotonic()
        if self.ctx.device == "auto":
            from .devices import best_compute_device

            self.ctx.device = best_compute_device()
        try:
            if self.ctx.cancelled():
                raise JobCancelled()
            with (self.gate(self) if self.gate is not None else contextlib.nullcontext()):
                self.state = JobState.RUNNING
                self.result = self.fn(self.ctx)
            self.ctx.check_cancelled()
            self.state = JobState.DONE
        except JobCancelled:
            self.state = JobState.CANCELLED
            self.text = "cancelled"
            self.result = list(self.partial) if self.partial else None  # what was drawn so far stays
        except WorkbenchError as exc:
            self.state, self.error, self.details = JobState.FAILED, str(exc), traceback.format_exc()
        except MemoryError:
            self.state = JobState.FAILED
            self.error = f"{self.title}: out of memory; try a shorter selection or the CPU"
        except Exception as exc:  # plugin bugs become messages, never host crashes
            self.state = JobState.FAILED
            self.error = f"{self.title} failed: {type(exc).__name__}: {exc}"
            self.details = traceback.format_exc()
            log.error("job %s failed\n%s", self.title, self.details)
        finally:
            self.finished_at = time.monotonic()
            with self._lock:
                self._done.set()
                listeners, self._done_listeners = self._done_listeners, []
            for cb in listeners:
                _safe_call(cb, self)


def _safe_call(cb, job) -> None:
    try:
        cb(job)
    except Exception:  # a faulty listener must not kill the worker
        log.exception("job listener failed")


class JobRunner:
    """The job queue. ``submit`` returns at once with a :class:`Job`; up to ``max_workers`` run at the same
    time, except that jobs on the same GPU run one after the other (the others wait, QUEUED, saying so)."""

    def __init__(self, max_workers: int = 4, device: str | None = None, models=None):
        from .devices import best_compute_device

        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="workbench-job")
        self._device_locks: dict[str, threading.Lock] = {}
        self._locks_lock = threading.Lock()
        # "auto" is resolved in the worker thread when a job starts (finding CUDA imports torch: never at start-up
        # on the GUI thread), so a device chosen before the first job is honoured by it.
        self.device = "auto" if device in (None, "", "auto") else best_compute_device(device)
        self.models = models
        self.jobs: list[Job] = []

    def submit(self, title: str, fn: Callable[[JobContext], Any], device: str | None = None) -> Job:
        """Queue ``fn(ctx)``; ``device`` overrides the runner's (e.g. "cpu" for a plugin that is CPU by design)."""
        ctx = JobContext(device=device or self.device, models=self.models,
                         logger=logging.getLogger(f"workbench.job.{title}"))
        job = Job(title=title, fn=fn, ctx=ctx, gate=self._device_gate)
        ctx.on_progress = job._report
        ctx.on_emit = job._partial
        self.jobs.append(job)
        self._pool.submit(job._run)
        return job

    @contextlib.contextmanager
    def _device_gate(self, job: Job):
        """Hold the job's GPU while it runs; CPU jobs pass straight through. Waiting honours cancel."""
        device = str(job.ctx.device)
        if device == "cpu" or device.startswith("cpu"):
            yield
            return
        key = "cuda:0" if device == "cuda" else device
        with self._locks_lock:
            lock = self._device_locks.setdefault(key, threading.Lock())
        if not lock.acquire(blocking=False):
            job._report(0.0, f"waiting for {key}")
            while not lock.acquire(timeout=0.1):
                job.ctx.check_cancelled()
        try:
            yield
        finally:
            lock.release()

    def submit_plugin(self, manifest, audio, params: dict | None = None) -> Job:
        """Run a plugin on ``audio`` with validated ``params``; the job's result is a list of layers."""
        from .params import resolve_params
        from .plugin_api import run_process

        resolved = resolve_params(manifest.params, params)  # bad params fail now, in the caller's thread

        def work(ctx: JobContext):
            emit = ctx.on_emit
            if emit is not None:  # partial layers carry the plugin id too, like the final ones
                def stamped(layers):
                    for layer in layers:
                        if not layer.source:
                            layer.source = manifest.id
                    emit(layers)

                ctx.on_emit = stamped
            try:
                return run_process(manifest, audio, resolved, ctx)
            except (JobCancelled, WorkbenchError):
                raise
            except Exception as exc:
                raise PluginError(manifest.id, f"{type(exc).__name__}: {exc}") from exc

        return self.submit(manifest.name, work, device="cpu" if manifest.compute == "cpu" else None)

    def shutdown(self, cancel: bool = True) -> None:
        if cancel:
            for job in self.jobs:
                job.cancel()
        self._pool.shutdown(wait=False, cancel_futures=True)
