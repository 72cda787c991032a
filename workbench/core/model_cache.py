"""The one cache of loaded models (every plugin's networks, sessions and pipelines live here).

Least-recently-used under a memory budget per device: loading a model that does not fit releases the oldest
ones on that device first (then ``torch.cuda.empty_cache()``); models unused for ``idle_s`` are released at the
start of the next job. Budgets: ``WORKBENCH_GPU_BUDGET_GB`` (default 80% of the GPU) and
``WORKBENCH_CPU_BUDGET_GB`` (default 8). Sizes are measured from torch parameters and buffers when the object
has them (``nn.Module`` or objects holding modules), else from the model files on disk.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    value: Any
    device: str
    nbytes: int
    last_used: float


def object_nbytes(obj: Any, depth: int = 2) -> int:
    """Bytes held in torch tensors by ``obj`` (a module, or an object whose attributes are modules/tensors)."""
    try:
        import torch
    except Exception:
        return 0
    seen: set[int] = set()

    def walk(o, d) -> int:
        if id(o) in seen:
            return 0
        seen.add(id(o))
        if isinstance(o, torch.nn.Module):
            return sum(t.numel() * t.element_size() for t in list(o.parameters()) + list(o.buffers()))
        if isinstance(o, torch.Tensor):
            return o.numel() * o.element_size()
        if d <= 0:
            return 0
        if isinstance(o, dict):
            return sum(walk(v, d - 1) for v in o.values())
        if isinstance(o, (list, tuple)):
            return sum(walk(v, d - 1) for v in o)
        if hasattr(o, "__dict__"):
            return sum(walk(v, d - 1) for v in vars(o).values())
        return 0

    return walk(obj, depth)


def _device_kind(device: str) -> str:
    return "cuda" if str(device).startswith("cuda") else "cpu"


def default_budget(device: str) -> int:
    if _device_kind(device) == "cuda":
        env = os.environ.get("WORKBENCH_GPU_BUDGET_GB")
        if env:
            return int(float(env) * 2**30)
        try:
            import torch

            index = int(str(device).partition(":")[2] or 0)
            return int(0.8 * torch.cuda.get_device_properties(index).total_memory)
        except Exception:
            return 8 * 2**30
    return int(float(os.environ.get("WORKBENCH_CPU_BUDGET_GB", "8")) * 2**30)


class ModelCache:
    """Thread-safe LRU of loaded models keyed by (key, device)."""

    def __init__(self, idle_s: float = 900.0, budget: Callable[[str], int] = default_budget):
        self._entries: "OrderedDict[tuple[str, str], _Entry]" = OrderedDict()
        self._lock = threading.RLock()
        self._loading: dict[tuple[str, str], threading.Lock] = {}
        self.idle_s = idle_s
        self._budget = budget
        self.released: list[tuple[str, str]] = []  # what was let go, newest last (for messages and tests)

    def get(self, key: str, device: str, factory: Callable[[], Any], size_hint: int = 0) -> Any:
        """The cached object for (key, device), made once with ``factory()`` (concurrent callers wait)."""
        k = (key, str(device))
        with self._lock:
            if k in self._entries:
                entry = self._entries[k]
                entry.last_used = time.monotonic()
                self._entries.move_to_end(k)
                return entry.value
            gate = self._loading.setdefault(k, threading.Lock())
        with gate:
            with self._lock:
                if k in self._entries:
                    return self._entries[k].value
            if size_hint:
                self._make_room(str(device), size_hint)
            try:
                value = factory()
            finally:  # loaded or failed, the next caller of this key makes its own attempt
                with self._lock:
                    self._loading.pop(k, None)
            nbytes = object_nbytes(value) or size_hint
            with self._lock:
                self._entries[k] = _Entry(value, str(device), nbytes, time.monotonic())
            self._make_room(str(device), 0, keep=k)
            return value

    def _used(self, device: str) -> int:
        kind = _device_kind(device)
        return sum(e.nbytes for e in self._entries.values() if _device_kind(e.device) == kind)

    def _make_room(self, device: str, extra: int, keep: tuple[str, str] | None = None) -> None:
        budget = self._budget(device)
        freed = False
        with self._lock:
            for k in list(self._entries):
                if self._used(device) + extra <= budget:
                    break
                if k == keep or _device_kind(self._entries[k].device) != _device_kind(device):
                    continue
                self._drop(k)
                freed = True
        if freed:
            _empty_cuda_cache()

    def _drop(self, k: tuple[str, str]) -> None:
        self._entries.pop(k, None)
        self.released.append(k)
        log.info("model %s released from %s", *k)

    def release(self, device: str | None = None) -> int:
        """Release every model (on ``device``'s kind only, when given); returns how many."""
        with self._lock:
            keys = [k for k, e in self._entries.items()
                    if device is None or _device_kind(e.device) == _device_kind(device)]
            for k in keys:
                self._drop(k)
        _empty_cuda_cache()
        return len(keys)

    def release_idle(self, idle_s: float | None = None) -> int:
        """Release the models unused for ``idle_s`` seconds (default: the cache's ``idle_s``)."""
        limit = self.idle_s if idle_s is None else idle_s
        now = time.monotonic()
        with self._lock:
            keys = [k for k, e in self._entries.items() if now - e.last_used > limit]
            for k in keys:
                self._drop(k)
        if keys:
            _empty_cuda_cache()
        return len(keys)

    def loaded(self) -> list[tuple[str, str, int]]:
        """(key, device, bytes) of what is loaded, oldest first."""
        with self._lock:
            return [(k[0], k[1], e.nbytes) for k, e in self._entries.items()]


def _empty_cuda_cache() -> None:
    from .compute import release_gpu_memory

    release_gpu_memory()
