"""Guards against a Qt binding that corrupts reference counts (PySide6 6.12.0 on Python 3.11 released one
reference to None on every call of a void method, so any window crashed after a few thousand calls)."""

from __future__ import annotations

import sys


def test_void_qt_calls_keep_none_alive(qtbot):
    from PySide6.QtWidgets import QWidget

    w = QWidget()
    qtbot.addWidget(w)
    before = sys.getrefcount(None)
    for _ in range(2000):
        w.setWindowTitle("x")
        w.resize(10, 10)
    assert abs(sys.getrefcount(None) - before) < 200
