"""Application entry point: ``run_app(files)`` creates the QApplication, the main window, opens files, runs."""

from __future__ import annotations

import logging
import sys

log = logging.getLogger(__name__)


def app_icon():
    from PySide6.QtGui import QIcon

    from workbench.core.resources import resources_dir

    png = resources_dir() / "app" / "workbench.png"
    return QIcon(str(png)) if png.exists() else QIcon()


def create_app(argv: list[str] | None = None):
    """The QApplication (existing one reused), with the workbench's name, icon and theme."""
    from PySide6.QtWidgets import QApplication

    from workbench.core.heap import use_fixed_mmap_threshold

    from .collector_timer import collect_in_gui_thread
    from .style import apply_theme

    use_fixed_mmap_threshold()  # an hour-long file's tile temporaries go back to the system when freed
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("Audio Workbench")
    app.setOrganizationName("AudioWorkbench")
    app.setWindowIcon(app_icon())
    apply_theme(app)
    collect_in_gui_thread(app)  # Qt objects in garbage are freed in the GUI thread, never in a job's
    return app


def create_window(files: list[str] | None = None, settings=None):
    """A shown main window with ``files`` opened (the first as the document, the rest as A/B tracks)."""
    from .main_window import MainWindow

    window = MainWindow(settings=settings)
    window.show()
    if files:
        window.files.open_paths([str(f) for f in files])
    return window


def run_app(files: list[str]) -> int:
    """Start the GUI on ``files`` and return the exit code when the window closes."""
    app = create_app()
    window = create_window(files)
    if not files:
        from .examples_menu import open_first_run_example

        open_first_run_example(window)  # a newcomer's first minute: a bundled example and what to try
    code = app.exec()
    del window
    return int(code)
