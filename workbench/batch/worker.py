"""What runs inside a batch worker (a local process or a Ray actor): one plugin on one file.

A worker lives for the whole batch, so the registry is discovered and each model is loaded once per worker
(the model store caches loaded models per process). Results are written into a staging folder; the main
process moves them into place and records them in the job database.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
import time
import traceback
from pathlib import Path

from workbench.core.errors import JobCancelled, WorkbenchError


def init_worker(threads: int) -> None:
    """Called first in every worker process: Ctrl-C is the main process's business; share the cores fairly."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread (Ray may run actors in threads)
        pass
    # Read by torch / numpy when they are first imported, which in a fresh worker is after this (not imported
    # here: a task that needs no torch starts in a fraction of a second).
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(threads)
    if "torch" in sys.modules:  # a Ray actor process may have it already
        sys.modules["torch"].set_num_threads(threads)


def resolve(dotted: str):
    """'package.module:function' -> the function (task functions are named, so any worker can import them)."""
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def run_plugin_task(task: dict) -> dict:
    """Run ``task['plugin']`` on ``task['path']``; write its result to ``task['staging'] / task['name']``.

    Returns {"ok": True, "files": [paths relative to staging], "rows": {...}, "warnings": [...]} or
    {"ok": False, "error": one line}. Never raises for a bad file or a plugin failure.
    """
    from workbench.core.audio_io import load_audio
    from workbench.core.export import export_layers
    from workbench.core.models import default_store
    from workbench.core.plugin_api import JobContext, run_process
    from workbench.core.registry import default_registry

    from .tables import layer_rows

    t0 = time.perf_counter()
    staging = Path(task["staging"])
    try:
        manifest = default_registry().get(task["plugin"])
        audio = load_audio(task["path"])
        ctx = JobContext(device=task.get("device", "cpu"), models=default_store())
        layers = run_process(manifest, audio, task["params"], ctx)
        target = staging / task["name"]
        target.parent.mkdir(parents=True, exist_ok=True)
        written = export_layers(layers, target, audio=audio)
        files = [Path(p).relative_to(staging).as_posix() for p in written]
        return {"ok": True, "files": files, "rows": layer_rows(layers) if task.get("rows") else {},
                "warnings": list(audio.warnings), "seconds": time.perf_counter() - t0}
    except WorkbenchError as exc:
        return {"ok": False, "error": str(exc)}
    except JobCancelled:
        return {"ok": False, "error": "cancelled"}
    except MemoryError:
        return {"ok": False, "error": "out of memory"}
    except Exception as exc:  # a plugin bug fails this file, not the batch
        return {"ok": False, "error": f"{task['plugin']} failed: {type(exc).__name__}: {exc}",
                "details": traceback.format_exc()}


def probe_task(task: dict) -> dict:
    """Read the input and return its size: what an engine costs per file without any model (benchmarks, and a
    check that every node of a cluster can run batch tasks)."""
    return {"ok": True, "files": [], "size": os.path.getsize(task["path"]), "device": task.get("device", "")}
