"""A window's life and death: garbage is collected in the GUI thread, and freeing a window never waits for a
file still loading in its worker."""

from __future__ import annotations

import gc
import threading

import shiboken6

from workbench.core import collector
from workbench.gui.app import create_app

from ..core.test_collector import _cycle_in_worker


def test_the_app_collects_workers_garbage_in_its_own_thread(qtbot):
    create_app()
    assert collector.owned() and not gc.isenabled()
    ref = _cycle_in_worker()
    assert ref() is not None  # the worker did not collect it
    qtbot.waitUntil(lambda: ref() is None, timeout=3000)  # the GUI thread's timer did


def test_freeing_a_window_does_not_wait_for_its_loader(qtbot, store):
    from workbench.gui.main_window import MainWindow

    create_app()
    w = MainWindow(settings=store)
    started, release = threading.Event(), threading.Event()

    def slow_load(path):
        started.set()
        release.wait(30)
        raise OSError("never read")

    w.files.loader.load("slow.wav", lambda audio: None, lambda message: None, fn=slow_load)
    assert started.wait(10)
    late = threading.Timer(10.0, release.set)  # a destructor that waited for the load returns only after this
    late.start()
    try:
        shiboken6.delete(w)  # freed from Python, as garbage collection frees a closed window
        assert not release.is_set()
    finally:
        release.set()
        late.cancel()
