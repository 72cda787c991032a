"""File > Export image: the view (overview, spectrogram with its layers, the lanes) as PNG or SVG at a chosen size.

The widgets are painted into the target through a scaling painter, so the plots (drawn by QGraphicsView) stay
sharp at any size and SVG output keeps lines and text as vectors. Never overwrites without the user's choice in
the save dialog; writes to a temporary name first and renames, so a failure leaves no half-written file.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QMessageBox, QSpinBox,
                               QWidget)

from workbench.core.errors import WorkbenchError

FORMATS = ("png", "svg")


def _paint(widget: QWidget, painter: QPainter, size: QSize) -> None:
    sx, sy = size.width() / max(1, widget.width()), size.height() / max(1, widget.height())
    painter.fillRect(QRectF(0, 0, size.width(), size.height()), QColor("#15171b"))
    painter.scale(sx, sy)
    widget.render(painter, QPoint(0, 0))


def export_widget_image(widget: QWidget, path: str | os.PathLike, width: int, height: int) -> Path:
    """Write ``widget`` as a ``width`` x ``height`` image; the format comes from the suffix (.png or .svg)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise WorkbenchError(f"Cannot export an image as '{path.suffix or path.name}': use .png or .svg")
    if not (16 <= width <= 16384 and 16 <= height <= 16384):
        raise WorkbenchError(f"Image size {width} x {height} is out of range (16 to 16384 pixels a side)")
    size = QSize(int(width), int(height))
    tmp = path.with_name(f".{path.name}.part")
    try:
        if fmt == "png":
            image = QImage(size, QImage.Format.Format_ARGB32)
            image.fill(QColor("#15171b"))
            painter = QPainter(image)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            _paint(widget, painter, size)
            painter.end()
            if not image.save(str(tmp), "PNG"):
                raise OSError("the image could not be written")
        else:
            from PySide6.QtSvg import QSvgGenerator

            gen = QSvgGenerator()
            gen.setFileName(str(tmp))
            gen.setSize(size)
            gen.setViewBox(QRectF(0, 0, size.width(), size.height()))
            gen.setTitle("Audio Workbench view")
            painter = QPainter(gen)
            _paint(widget, painter, size)
            painter.end()
            if not tmp.is_file() or tmp.stat().st_size == 0:
                raise OSError("the SVG could not be written")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WorkbenchError(f"Cannot write the image '{path}': {exc.strerror or exc}") from exc
    return path


class ExportImageDialog(QDialog):
    """Choose format and size, then the file."""

    def __init__(self, widget: QWidget, start_folder: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export image")
        self.widget, self.start_folder = widget, start_folder
        self.format = QComboBox()
        self.format.addItems(["PNG", "SVG"])
        self.width_box = QSpinBox(minimum=16, maximum=16384, value=max(16, widget.width() * 2), suffix=" px")
        self.height_box = QSpinBox(minimum=16, maximum=16384, value=max(16, widget.height() * 2), suffix=" px")
        form = QFormLayout(self)
        form.addRow("Format", self.format)
        form.addRow("Width", self.width_box)
        form.addRow("Height", self.height_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.saved: Path | None = None

    def _save(self) -> None:
        ext = self.format.currentText().lower()
        start = str(Path(self.start_folder or ".") / f"view.{ext}")
        path, _ = QFileDialog.getSaveFileName(self, "Export image", start, f"{ext.upper()} (*.{ext})")
        if not path:
            return
        if not path.lower().endswith(f".{ext}"):
            path += f".{ext}"
        try:
            self.saved = export_widget_image(self.widget, path, self.width_box.value(), self.height_box.value())
        except WorkbenchError as exc:
            QMessageBox.warning(self, "Export image", str(exc))
            return
        self.accept()


def open_export_image(window) -> None:
    """File > Export image: the window's centre (overview, spectrogram, lanes)."""
    if window.doc.audio is None:
        QMessageBox.information(window, "Export image", "Open an audio file first.")
        return
    dialog = ExportImageDialog(window.centralWidget(), window.store.last_folder(), window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.accepted.connect(lambda: dialog.saved and window.statusBar().showMessage(f"Exported {dialog.saved}", 5000))
    dialog.open()
