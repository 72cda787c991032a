"""The GUI thread's garbage-collection timer: Python's collector runs here only (why: core/collector.py)."""

from __future__ import annotations

from PySide6.QtCore import QTimer

from workbench.core import collector

INTERVAL_MS = 500  # garbage made by workers waits at most this long; a due check costs microseconds


def collect_in_gui_thread(app) -> QTimer:
    """Take collection over for the GUI thread of ``app`` (idempotent); hands it back when the app quits."""
    collector.take_over()
    existing = app.findChild(QTimer, "workbench_collector")
    if existing is not None:
        return existing
    timer = QTimer(app)
    timer.setObjectName("workbench_collector")
    timer.setInterval(INTERVAL_MS)
    timer.timeout.connect(collector.collect_if_due)
    app.aboutToQuit.connect(collector.give_back)
    timer.start()
    return timer
