"""Garbage collection owned by one thread: workers' allocations never trigger it, the owner's timed call does."""

from __future__ import annotations

import gc
import threading
import weakref

from workbench.core import collector


class _Node:
    pass


def _cycle_in_worker() -> weakref.ref:
    """Reference cycles made (and dropped) in a worker thread, far more than the first threshold."""
    out = {}

    def work():
        for _ in range(gc.get_threshold()[0] * 5):  # would have triggered automatic collection many times
            a, b = _Node(), _Node()
            a.other, b.other = b, a
        out["ref"] = weakref.ref(a)
        del a, b

    t = threading.Thread(target=work)
    t.start()
    t.join()
    return out["ref"]


def test_only_the_owner_collects_and_only_when_it_asks():
    gc.collect()
    collector.take_over()
    try:
        assert not gc.isenabled() and collector.owned()
        ref = _cycle_in_worker()
        assert ref() is not None  # the worker's allocations did not collect it
        done = {}
        t = threading.Thread(target=lambda: done.setdefault("n", collector.collect_if_due()))
        t.start()
        t.join()
        assert done["n"] == 0 and ref() is not None  # another thread asking does nothing
        assert collector.collect_if_due() > 0
        assert ref() is None
    finally:
        collector.give_back()
    assert gc.isenabled() and not collector.owned()


def test_paused_holds_collection_off_and_nests():
    collector.take_over()
    try:
        with collector.paused():
            with collector.paused():
                ref = _cycle_in_worker()
            assert collector.collect_if_due() == 0 and ref() is not None
        assert not gc.isenabled()  # still owned: automatic collection stays off
        collector.collect_if_due()
        assert ref() is None
    finally:
        collector.give_back()
    with collector.paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_full_collections_are_spaced(monkeypatch):
    asked, clock = [], [100.0]
    monkeypatch.setattr(collector.gc, "get_count", lambda: (10_000, 100, 100))  # every generation due
    monkeypatch.setattr(collector.gc, "collect", lambda generation=2: asked.append(generation) or 0)
    monkeypatch.setattr(collector.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(collector, "_last_full", {"at": float("-inf"), "took": 0.0})
    collector.take_over()
    try:
        collector.collect_if_due()
        clock[0] += 1.0
        collector.collect_if_due()
        clock[0] += collector.FULL_EVERY_S
        collector.collect_if_due()
    finally:
        collector.give_back()
    assert asked == [2, 1, 2]  # the second full one waited: gen 1 meanwhile
