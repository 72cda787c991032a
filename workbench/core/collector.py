"""Cyclic garbage collection that runs only in one chosen thread (the GUI's), when it asks for it.

Python's collector runs in whichever thread happens to allocate past the threshold. In the app that is often a
job's worker thread, and the garbage it then frees can hold Qt objects (a closed window's widgets, timers):
their C++ destructors then run off the GUI thread, which Qt does not allow and which can crash or deadlock the
process. So the GUI turns automatic collection off (:func:`take_over`) and calls :func:`collect_if_due` on a
timer; each call collects the generations whose counts passed the usual thresholds, as automatic collection
would have (full collections spaced out, see FULL_EVERY_S). Core code never imports Qt: the timer lives in ``workbench.gui.collector_timer``.

:func:`paused` holds collection off meanwhile (an import that must not be walked half-made, see torch_import).
"""

from __future__ import annotations

import gc
import threading
import time
from contextlib import contextmanager

_lock = threading.RLock()  # held while collecting too: a pause waits for a collection under way
_pauses = 0
_owner: int | None = None  # thread ident that collects; None: Python's automatic collection
_automatic = gc.isenabled()  # what automatic collection was before we touched it
# A full collection walks every tracked object (with torch, numpy and Qt loaded: ~260k, 0.1-0.2 s here).
# Python's own collector skips most of the due ones (it waits until a quarter of the heap is new); the GUI
# thread's owner spaces them instead: at most one per FULL_EVERY_S, and never more than 5 % of its time.
FULL_EVERY_S = 5.0
_last_full = {"at": float("-inf"), "took": 0.0}


def _apply() -> None:
    if _owner is None and _pauses == 0 and _automatic:
        gc.enable()
    else:
        gc.disable()


def take_over() -> None:
    """From now on, only the calling thread collects (through :func:`collect_if_due`)."""
    global _owner
    with _lock:
        _owner = threading.get_ident()
        _apply()


def give_back() -> None:
    """Automatic collection again (the GUI is gone)."""
    global _owner
    with _lock:
        _owner = None
        _apply()


def owned() -> bool:
    return _owner is not None


def collect_if_due() -> int:
    """Collect the generations that are due (from the owning thread only); the number of objects freed."""
    if threading.get_ident() != _owner:
        return 0
    with _lock:
        if _pauses:
            return 0
        t0, t1, t2 = gc.get_threshold()
        c0, c1, c2 = gc.get_count()
        if c0 <= t0:
            return 0
        # the oldest generation whose count passed its threshold, like the automatic collector's choice
        generation = 1 if c1 > t1 else 0
        now = time.monotonic()
        if generation == 1 and c2 > t2 and now - _last_full["at"] >= max(FULL_EVERY_S, 20 * _last_full["took"]):
            generation = 2
        freed = gc.collect(generation)
        if generation == 2:
            _last_full.update(at=now, took=time.monotonic() - now)
        return freed


@contextmanager
def paused():
    """No collection in any thread while inside (nests)."""
    global _pauses
    with _lock:
        _pauses += 1
        _apply()
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            _apply()
