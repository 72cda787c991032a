"""The app's garbage collection runs on a timer in the GUI thread, never in a worker's allocation."""

from __future__ import annotations

import gc

from workbench.core import collector
from workbench.gui.app import create_app

from ..core.test_collector import _cycle_in_worker


def test_the_app_collects_workers_garbage_in_its_own_thread(qtbot):
    create_app()
    assert collector.owned() and not gc.isenabled()
    ref = _cycle_in_worker()
    assert ref() is not None  # the worker did not collect it
    qtbot.waitUntil(lambda: ref() is None, timeout=3000)  # the GUI thread's timer did
