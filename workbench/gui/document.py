"""The GUI's view of an open document: audio, result layers and their display style, with undoable edits.

Display style (visible, colour) is kept in ``layer.metadata["display"]`` so it travels with saved projects.
All methods are for the GUI thread.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QUndoCommand, QUndoStack

from workbench.core.layers import Layer

PALETTE = ("#00e5ff", "#76ff03", "#ff4081", "#ffea00", "#b388ff", "#ff9100", "#64ffda", "#f50057")


class Document(QObject):
    """Audio + layers. Signals fire after each change so views can follow."""

    audio_changed = Signal()
    layer_added = Signal(object)  # Layer
    layer_removed = Signal(object)
    layer_style_changed = Signal(object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.audio = None
        self.path: Path | None = None
        self.project_path: Path | None = None
        self.layers: list[Layer] = []
        self.undo_stack = QUndoStack(self)
        self._colour_index = 0

    def set_audio(self, audio, path: str | Path | None = None) -> None:
        for layer in list(self.layers):
            self._remove(layer)
        self.undo_stack.clear()
        self.audio = audio
        self.path = Path(path) if path else getattr(audio, "source", None)
        self.project_path = None
        self.audio_changed.emit()

    # ----- style -------------------------------------------------------------------------------------
    @staticmethod
    def display(layer: Layer) -> dict:
        return layer.metadata.setdefault("display", {})

    def is_visible(self, layer: Layer) -> bool:
        return bool(self.display(layer).get("visible", True))

    def color(self, layer: Layer) -> QColor:
        return QColor(self.display(layer).get("color", PALETTE[0]))

    # ----- undoable operations -----------------------------------------------------------------------
    def add_layers(self, layers: list[Layer], text: str = "") -> None:
        if layers:
            self.undo_stack.push(_AddLayers(self, list(layers), text or f"Add {', '.join(l.name for l in layers)}"))

    def remove_layer(self, layer: Layer) -> None:
        self.undo_stack.push(_RemoveLayer(self, layer))

    def set_visible(self, layer: Layer, visible: bool) -> None:
        if self.is_visible(layer) != visible:
            self.undo_stack.push(_SetStyle(self, layer, "visible", bool(visible),
                                           f"{'Show' if visible else 'Hide'} {layer.name}"))

    def set_color(self, layer: Layer, color: QColor) -> None:
        self.undo_stack.push(_SetStyle(self, layer, "color", QColor(color).name(), f"Recolour {layer.name}"))

    # ----- raw operations (used by the commands) -----------------------------------------------------
    def _insert(self, layer: Layer, index: int | None = None) -> None:
        d = self.display(layer)
        if "color" not in d:
            d["color"] = PALETTE[self._colour_index % len(PALETTE)]
            self._colour_index += 1
        self.layers.insert(len(self.layers) if index is None else index, layer)
        self.layer_added.emit(layer)

    def _remove(self, layer: Layer) -> int:
        idx = self.layers.index(layer)
        self.layers.pop(idx)
        self.layer_removed.emit(layer)
        return idx

    def _style(self, layer: Layer, key: str, value) -> None:
        self.display(layer)[key] = value
        self.layer_style_changed.emit(layer)


class _AddLayers(QUndoCommand):
    def __init__(self, doc: Document, layers: list[Layer], text: str):
        super().__init__(text)
        self.doc, self.layers = doc, layers

    def redo(self):
        for layer in self.layers:
            self.doc._insert(layer)

    def undo(self):
        for layer in reversed(self.layers):
            if layer in self.doc.layers:
                self.doc._remove(layer)


class _RemoveLayer(QUndoCommand):
    def __init__(self, doc: Document, layer: Layer):
        super().__init__(f"Remove {layer.name}")
        self.doc, self.layer, self.index = doc, layer, 0

    def redo(self):
        self.index = self.doc._remove(self.layer)

    def undo(self):
        self.doc._insert(self.layer, self.index)


class _SetStyle(QUndoCommand):
    def __init__(self, doc: Document, layer: Layer, key: str, value, text: str):
        super().__init__(text)
        self.doc, self.layer, self.key, self.value = doc, layer, key, value
        self.old = Document.display(layer).get(key, True if key == "visible" else PALETTE[0])

    def redo(self):
        self.doc._style(self.layer, self.key, self.value)

    def undo(self):
        self.doc._style(self.layer, self.key, self.old)
