"""Help > Examples: short, licence-clean audio the project made (``resources/examples/``, listed in its
``examples.json`` by ``scripts/make_examples.py``), so every view and plugin can be tried before the user has a
file of their own. Started without a file, before the user has opened one of their own, the window opens the
song example (``make run`` on a fresh checkout) and, the first time, says what to try."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from workbench.core.resources import resources_dir

log = logging.getLogger(__name__)
FIRST_EXAMPLE = "song.ogg"
FIRST_RUN_HINT = (
    "This is a bundled example (a short song with a voice). Things to try:\n"
    "• Space plays, B switches A/B, drag selects, the wheel zooms.\n"
    "• Plugins panel: run Separation, then set Input to the vocals stem and run Speech recognition or Pitch.\n"
    "• S opens the spectrum panel; M draws a measure box; H shows harmonics; P plays the box's band.\n"
    "Help > Examples has speech, a soundscape and a violin too; File > Open or drop your own files.")


def examples() -> list[dict]:
    """[{"file": Path, "title": str, "try": str}] of the bundled examples that exist on this installation."""
    folder = resources_dir() / "examples"
    try:
        listed = json.loads((folder / "examples.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    out = []
    for e in listed if isinstance(listed, list) else []:
        path = folder / str(e.get("file", ""))
        if path.is_file():
            out.append({"file": path, "title": str(e.get("title", path.stem)), "try": str(e.get("try", ""))})
    return out


def example_path(name: str) -> Path | None:
    return next((e["file"] for e in examples() if e["file"].name == name), None)


def install_examples_menu(window) -> None:
    """Help > Examples, one entry per example (opening it replaces the document, like File > Open)."""
    menu = window._help_menu.addMenu("&Examples")
    found = examples()
    if not found:
        menu.addAction("(no examples installed)").setEnabled(False)
    for e in found:
        a = QAction(e["title"], window)
        a.setStatusTip(f"Try: {e['try']}" if e["try"] else str(e["file"].name))
        a.setToolTip(a.statusTip())
        a.triggered.connect(lambda _=False, p=e["file"]: window.files.open_paths([str(p)]))
        menu.addAction(a)
    window.examples_menu = menu


def open_first_run_example(window) -> bool:
    """Started without a file and the user has not opened one of their own yet: open the song example, and the
    first time say what to try. True when an example was opened."""
    store = window.store
    folder = (resources_dir() / "examples").resolve()
    own = [p for p in store.recent_files() if not Path(p).resolve().is_relative_to(folder)]
    path = example_path(FIRST_EXAMPLE)
    if own or path is None:
        return False
    window.files.open_paths([str(path)])
    if store.q.value("examples/hintShown", False) in (True, "true"):
        return True
    store.q.setValue("examples/hintShown", True)
    box = QMessageBox(QMessageBox.Icon.Information, "Welcome to Audio Workbench", FIRST_RUN_HINT,
                      QMessageBox.StandardButton.Ok, window)
    box.setModal(False)
    box.open()
    window.first_run_hint = box
    return True
