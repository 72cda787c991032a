"""Start-up smoke hook: with ``WORKBENCH_EXIT_WHEN_SHOWN=1`` the GUI quits as soon as its main window is visible
and the file given on the command line is loaded, after printing ``window shown after X.XX s``.

X is the wall-clock time from the start of the PROCESS (the kernel's start time of this process, read from
``/proc/self/stat``, so it includes the interpreter start, every import and, in the desktop bundle, the
bootloader's unpacking work) to the moment the poll sees the loaded, visible window. Where ``/proc`` is missing
(Windows, macOS) it falls back to the time since this module was imported, and says so in the line.
Used by the bundle's smoke test and to measure start-up time; costs nothing unless the variable is set.
"""

from __future__ import annotations

import os
import time

ENV_VAR = "WORKBENCH_EXIT_WHEN_SHOWN"
POLL_MS = 20  # how often the window is checked; the measurement is at most this late
TIMEOUT_S = 120.0  # give up (exit code 1) when nothing loaded by then

_IMPORTED_AT = time.time()


def enabled() -> bool:
    return os.environ.get(ENV_VAR, "") not in ("", "0")


def process_start_time() -> tuple[float, str]:
    """(start of this process as a ``time.time()`` value, what it is): from /proc on Linux, else this import."""
    try:
        with open("/proc/self/stat", "rb") as f:
            stat = f.read()
        # fields after the command name (which may hold spaces) start after the last ')'; starttime is field 22
        ticks = int(stat[stat.rindex(b")") + 2:].split()[19])
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        boot = time.time() - uptime
        return boot + ticks / os.sysconf("SC_CLK_TCK"), "process start"
    except (OSError, ValueError, IndexError):
        return _IMPORTED_AT, "smoke module import"


def _main_windows(app) -> list:
    return [w for w in app.topLevelWidgets() if hasattr(w, "doc") and hasattr(w, "files")]


def arm(files: list[str]) -> None:
    """Create (or reuse) the QApplication and start polling for the loaded, visible main window.

    ``run_app`` reuses the QApplication made here (``QApplication.instance()``), so this must run before it.
    With no files the window only has to be visible.
    """
    from PySide6.QtCore import QTimer

    from .app import create_app

    app = create_app()
    started, what = process_start_time()
    deadline = time.monotonic() + TIMEOUT_S
    timer = QTimer(app)
    timer.setInterval(POLL_MS)

    def finish(code: int, line: str) -> None:
        timer.stop()
        print(line, flush=True)
        app.exit(code)

    def poll() -> None:
        for w in _main_windows(app):
            error = getattr(w.files, "last_error", None)
            if error:
                finish(1, f"window shown but opening failed: {error}")
                return
            if w.isVisible() and (not files or getattr(w.doc, "audio", None) is not None):
                finish(0, f"window shown after {time.time() - started:.2f} s (since {what})")
                return
        if time.monotonic() > deadline:
            finish(1, f"no loaded main window after {TIMEOUT_S:.0f} s")

    timer.timeout.connect(poll)
    timer.start()
    app._workbench_smoke_timer = timer  # keep a reference for the life of the app
