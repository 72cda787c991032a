"""Batch analysis of whole collections (Qt-free): a resumable job database, a local process pool and Ray.

``run_batch(BatchOptions(...))`` is what ``workbench batch`` runs; see :mod:`workbench.batch.run`. The names
are imported on first use, so a worker process that only needs the engine does not import the planner.
"""

from __future__ import annotations

__all__ = ["BatchOptions", "BatchSummary", "run_batch"]


def __getattr__(name: str):
    if name in __all__:
        from . import run

        return getattr(run, name)
    raise AttributeError(name)
