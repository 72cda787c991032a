"""Layer list: show/hide (checkbox), recolour, export and remove; every change goes through the undo stack."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (QColorDialog, QHBoxLayout, QListWidget, QListWidgetItem, QMenu, QToolButton,
                               QVBoxLayout, QWidget)

from .document import Document


def swatch(color: QColor, size: int = 14) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(color)
    return QIcon(pm)


def layer_summary(layer) -> str:
    n = ""
    for attr in ("times", "onsets", "starts", "labels", "tracks", "matches"):
        v = getattr(layer, attr, None)
        if v is not None:
            n = f"{len(v)} {attr if attr != 'times' else 'frames'}"
            break
    return f"{layer.kind}" + (f" · {n}" if n else "") + (f" · {layer.source}" if layer.source else "")


class LayerPanel(QWidget):
    """Mirrors ``Document.layers``; emits ``export_requested(layer)`` and ``layer_selected(layer)``."""

    export_requested = Signal(object)
    layer_selected = Signal(object)

    def __init__(self, doc: Document, parent: QWidget | None = None):
        super().__init__(parent)
        self.doc = doc
        self.list = QListWidget()
        self.list.setObjectName("layerList")
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.itemChanged.connect(self._item_changed)
        self.list.currentItemChanged.connect(lambda cur, prev: self.layer_selected.emit(self.layer_of(cur)))
        self.list.itemDoubleClicked.connect(lambda it: self.recolour(self.layer_of(it)))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for text, tip, fn in (("Colour", "Recolour the selected layer", lambda: self.recolour(self.current())),
                              ("Export…", "Export the selected layer", lambda: self._export(self.current())),
                              ("Remove", "Remove the selected layer (undo with Ctrl+Z)", lambda: self._remove(self.current()))):
            b = QToolButton()
            b.setText(text)
            b.setToolTip(tip)
            b.clicked.connect(fn)
            bar.addWidget(b)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.list)
        lay.addLayout(bar)
        doc.layer_added.connect(self._added)
        doc.layer_removed.connect(self._removed)
        doc.layer_style_changed.connect(self._restyled)

    def layer_of(self, item: QListWidgetItem | None):
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def item_of(self, layer) -> QListWidgetItem | None:
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.ItemDataRole.UserRole) is layer:
                return self.list.item(i)
        return None

    def current(self):
        return self.layer_of(self.list.currentItem())

    def _added(self, layer) -> None:
        item = QListWidgetItem(f"{layer.name}\n{layer_summary(layer)}")
        item.setData(Qt.ItemDataRole.UserRole, layer)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        idx = self.doc.layers.index(layer)
        self.list.blockSignals(True)
        self.list.insertItem(idx, item)
        self.list.blockSignals(False)
        self._restyled(layer)

    def _removed(self, layer) -> None:
        item = self.item_of(layer)
        if item is not None:
            self.list.takeItem(self.list.row(item))

    def _restyled(self, layer) -> None:
        item = self.item_of(layer)
        if item is None:
            return
        self.list.blockSignals(True)
        item.setCheckState(Qt.CheckState.Checked if self.doc.is_visible(layer) else Qt.CheckState.Unchecked)
        item.setIcon(swatch(self.doc.color(layer)))
        self.list.blockSignals(False)

    def _item_changed(self, item: QListWidgetItem) -> None:
        layer = self.layer_of(item)
        if layer is not None:
            self.doc.set_visible(layer, item.checkState() == Qt.CheckState.Checked)

    def recolour(self, layer) -> None:
        if layer is None:
            return
        c = QColorDialog.getColor(self.doc.color(layer), self, f"Colour of {layer.name}")
        if c.isValid():
            self.doc.set_color(layer, c)

    def _export(self, layer) -> None:
        if layer is not None:
            self.export_requested.emit(layer)

    def _remove(self, layer) -> None:
        if layer is not None:
            self.doc.remove_layer(layer)

    def _menu(self, pos) -> None:
        layer = self.layer_of(self.list.itemAt(pos))
        if layer is None:
            return
        m = QMenu(self)
        m.addAction("Hide" if self.doc.is_visible(layer) else "Show",
                    lambda: self.doc.set_visible(layer, not self.doc.is_visible(layer)))
        m.addAction("Colour…", lambda: self.recolour(layer))
        m.addAction("Export…", lambda: self._export(layer))
        m.addSeparator()
        m.addAction("Remove", lambda: self._remove(layer))
        m.exec(self.list.viewport().mapToGlobal(pos))
