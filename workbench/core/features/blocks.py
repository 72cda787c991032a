"""CPU work split into ranges run on a few threads of our own, each with single-threaded torch/MKL kernels.

Why not torch's intra-op threads: a loop of small, cache-sized steps meets one thread barrier per step, and on a
machine where other programs hold a core a barrier waits for a descheduled thread (milliseconds each). Our
threads take ranges from a queue instead: a busy core only slows the ranges it holds. Our threads' OpenMP
thread count is set to 1 (thread-local in OpenMP; torch's FFT and matrix products follow it), so N workers use
N cores, however many threads torch itself is allowed.
"""

from __future__ import annotations

import ctypes
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from typing import Callable

_PREFIX = "features"  # our threads' names
_pools: dict[int, ThreadPoolExecutor] = {}
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _openmp_runtime():
    """The OpenMP runtime torch was loaded with (libgomp next to libtorch), or None."""
    import torch

    path = os.path.join(os.path.dirname(torch.__file__), "lib", "libgomp.so.1")
    try:
        return ctypes.CDLL(path) if os.path.exists(path) else None
    except OSError:
        return None


def single_threaded_kernels() -> None:
    """This thread's torch/MKL kernels run on one thread (OpenMP's thread count is per thread)."""
    omp = _openmp_runtime()
    if omp is not None:
        omp.omp_set_num_threads(1)


def cpu_workers() -> int:
    """Threads to use: torch's intra-op thread count, at most the number of CPUs; 1 without a known OpenMP
    runtime (then torch's own threads do the parallel part)."""
    import torch

    if _openmp_runtime() is None:
        return 1
    return max(1, min(torch.get_num_threads(), os.cpu_count() or 1))


def _pool(workers: int) -> ThreadPoolExecutor:
    with _lock:
        pool = _pools.get(workers)
        if pool is None:
            pool = _pools[workers] = ThreadPoolExecutor(workers, thread_name_prefix=_PREFIX,
                                                        initializer=single_threaded_kernels)
        return pool


def _no_autograd(work: Callable[..., None], *args) -> None:
    """Runs ``work`` in inference mode: it writes into the caller's tensors, which are inference tensors when the
    caller runs in inference mode (thread-local, so our threads must enter it themselves)."""
    import torch

    with torch.inference_mode():
        work(*args)


def submit(work: Callable[..., None], *args) -> Future:
    """work(*args) on one of the cpu_workers() threads (single-threaded kernels, inference mode): for a caller
    that keeps producing inputs while the workers consume them. Called from one of those threads, it runs
    ``work`` at once (waiting there on the pool's other threads could deadlock)."""
    if threading.current_thread().name.startswith(_PREFIX):
        done: Future = Future()
        _no_autograd(work, *args)
        done.set_result(None)
        return done
    return _pool(cpu_workers()).submit(_no_autograd, work, *args)


def run_ranges(work: Callable[[int, int], None], count: int, min_size: int = 1) -> None:
    """Calls work(a, b) for ranges [a, b) that cover range(count), on cpu_workers() threads; returns when all are
    done (re-raising the first error). Ranges hold at least ``min_size`` items; about four per worker, so a
    worker slowed by other programs leaves its queued share to the others."""
    workers = cpu_workers()
    n_ranges = min(4 * workers, max(1, count // max(1, min_size))) if workers > 1 else 1
    if n_ranges <= 1:
        if count > 0:
            work(0, count)
        return
    edges = [count * i // n_ranges for i in range(n_ranges + 1)]
    futures = [_pool(workers).submit(_no_autograd, work, a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]
    for f in futures:
        f.result()
