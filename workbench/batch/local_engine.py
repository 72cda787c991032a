"""The local engine: N worker processes (spawn, so no torch/thread state is forked), one task at a time each.

A small pool of our own rather than ``concurrent.futures``: a worker that dies (killed, out of memory, a crash
in native code) fails only the file it was on and is replaced, and Ctrl-C can stop every worker at once.
Tasks are (key, "module:function", payload dict); the function runs in the worker and returns a dict.
"""

from __future__ import annotations

import multiprocessing as mp
from collections import deque
from multiprocessing.connection import wait
from typing import Iterable, Iterator

Task = tuple[object, str, dict]


def pick_device(preference: str, index: int) -> str | None:
    """The device of worker ``index``: the CPU, or one GPU per worker (None: no GPU left for this worker)."""
    if preference == "cpu":
        return "cpu"
    from workbench.core.devices import best_compute_device

    device = best_compute_device(None if preference == "auto" else preference)
    if device == "cuda":
        import torch

        return f"cuda:{index}" if index < torch.cuda.device_count() else None
    if device.startswith("cuda"):  # one named GPU: one model copy on it
        return device if index == 0 else None
    return device


def _worker_main(conn, preference: str, index: int, threads: int) -> None:
    from .worker import init_worker, resolve

    init_worker(threads)
    try:
        device = pick_device(preference, index)
    except Exception as exc:
        conn.send(("error", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", device) if device else ("surplus", None))
    if not device:
        return
    while True:
        try:
            msg = conn.recv()
        except EOFError:
            return
        if msg is None:
            return
        key, fn_name, payload = msg
        try:
            result = resolve(fn_name)(payload | {"device": device})
        except Exception as exc:  # task functions catch their own errors; this is a last resort
            result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        conn.send((key, result))


class _Worker:
    def __init__(self, ctx, preference: str, index: int, threads: int):
        self.preference, self.index = preference, index
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, preference, index, threads), daemon=True)
        self.proc.start()
        child.close()
        self.key = None  # the task it is on
        self.busy = False
        self.device = ""

    def handshake(self) -> str:
        """Wait until the worker has started: 'ready', 'surplus' (no GPU left for it) or an error text."""
        try:
            state, info = self.conn.recv()
        except (EOFError, OSError):
            self.proc.join(5)
            return f"the worker process stopped while starting (exit code {self.proc.exitcode})"
        if state == "ready":
            self.device = info
        return state if state != "error" else info


class LocalEngine:
    """Up to ``workers`` processes on ``preference`` ('cpu', 'auto', 'cuda', 'cuda:1'): with CUDA, one worker
    (one model copy) per GPU. Each worker picks its device itself, so the main process never imports torch."""

    name = "local"

    def __init__(self, workers: int, preference: str, threads: int):
        from workbench.core.errors import WorkbenchError

        self._ctx = mp.get_context("spawn")
        self.preference, self.threads = preference, threads
        started = [_Worker(self._ctx, preference, i, threads) for i in range(workers)]
        states = [w.handshake() for w in started]
        self.workers = [w for w, st in zip(started, states) if st == "ready"]
        for w, st in zip(started, states):
            if st != "ready":
                w.proc.join(5)
                w.conn.close()
        if not self.workers:
            raise WorkbenchError(f"The batch workers could not start: {states[0]}")
        self.size = len(self.workers)
        self.devices = sorted({w.device for w in self.workers})

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[object, dict]]:
        """Yield (key, result) as tasks finish (in any order)."""
        pending = deque(tasks)
        while pending or any(w.busy for w in self.workers):
            for w in self.workers:
                if not w.busy and pending:
                    key, fn, payload = pending.popleft()
                    w.key, w.busy = key, True
                    w.conn.send((key, fn, payload))
            busy = [w for w in self.workers if w.busy]
            ready = wait([w.conn for w in busy] + [w.proc.sentinel for w in busy])
            for i, w in enumerate(self.workers):
                if not w.busy:
                    continue
                if w.conn in ready and w.conn.poll():
                    try:
                        key, result = w.conn.recv()
                    except (EOFError, OSError):
                        key, result = w.key, self._died(w)
                        self.workers[i] = self._replace(w)
                    else:
                        w.busy = False
                    yield key, result
                elif w.proc.sentinel in ready:
                    key, result = w.key, self._died(w)
                    self.workers[i] = self._replace(w)
                    yield key, result

    @staticmethod
    def _died(w: _Worker) -> dict:
        w.proc.join(1)
        return {"ok": False, "error": f"the worker process stopped (exit code {w.proc.exitcode}) on this file"}

    def _replace(self, w: _Worker) -> _Worker:
        w.conn.close()
        new = _Worker(self._ctx, self.preference, w.index, self.threads)
        new.handshake()
        return new

    def close(self, kill: bool = False) -> None:
        """Stop the workers: politely after a finished batch, at once (``kill``) after Ctrl-C."""
        for w in self.workers:
            try:
                if kill:
                    w.proc.terminate()
                else:
                    w.conn.send(None)
            except (OSError, ValueError):
                pass
        for w in self.workers:
            w.proc.join(5)
            if w.proc.is_alive():
                w.proc.kill()
                w.proc.join(1)
            w.conn.close()
