"""File > Import annotations (and annotation files dropped on the window), File > Export all layers to a folder.

Files are read in the background (JAMS takes a moment to load); the layers join the open document in one
undoable step. Times in the files count from the start of the audio, as everywhere in the program.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from workbench.core.errors import WorkbenchError
from workbench.core.importers import READERS, can_import, import_layers

IMPORT_FILTER = ("Annotations (" + " ".join(f"*{e}" for e in READERS) + " *.TextGrid);;"
                 + ";;".join(f"{what} (*{e})" for e, (_, what) in READERS.items()) + ";;All files (*)")


def annotation_paths(paths: list[str]) -> tuple[list[str], list[str]]:
    """(annotation files, other files) among ``paths``: dropped annotations become layers, the rest opens."""
    notes = [p for p in paths if can_import(p)]
    return notes, [p for p in paths if p not in notes]


class AnnotationFiles:
    """Import and folder export for a :class:`MainWindow`; errors go through ``FileActions.error``."""

    def __init__(self, window, loader):
        self.w, self.loader = window, loader

    def import_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.w, "Import annotations", self.w.store.last_folder(),
                                                IMPORT_FILTER)
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[str]) -> bool:
        """Read each file in the background and add its layers to the document (one undo step per file)."""
        if self.w.doc.audio is None:
            self.w.files.error("Import annotations", "Open the audio file first: annotations are shown on its "
                                                     "timeline.")
            return False
        for path in paths:
            name = Path(path).name

            def loaded(layers, name=name) -> None:
                if not layers:
                    self.w.files.error("Import annotations", f"'{name}' holds no annotation layers.")
                    return
                self.w.doc.add_layers(list(layers), f"Import {name}")
                self.w.statusBar().showMessage(f"Imported {len(layers)} layer(s) from {name}", 5000)

            self.loader.load(path, loaded, lambda msg: self.w.files.error("Import annotations", msg),
                             fn=import_layers)
        return True

    def export_folder_dialog(self) -> None:
        if not self.w.doc.layers:
            self.w.files.error("Export", "There are no layers to export yet.")
            return
        folder = QFileDialog.getExistingDirectory(self.w, "Export every layer into a folder",
                                                  self.w.store.last_folder())
        if folder:
            self.export_to_folder(folder)

    def export_to_folder(self, folder: str) -> list[Path]:
        """Every layer as ``<name><ext>`` in its most natural format (f0 .csv, notes .mid, words .srt ...)."""
        from workbench.core.export import export_to_folder

        try:
            written = export_to_folder(list(self.w.doc.layers), folder, self.w.doc.audio)
        except (WorkbenchError, OSError) as exc:
            self.w.files.error("Export", f"Cannot export into '{folder}': {exc}")
            return []
        self.w.statusBar().showMessage(f"Exported {len(written)} file(s) into {folder}", 5000)
        return written
