"""Render resources/app/workbench.svg to the 256 px PNG used by the desktop entry and the bundle."""

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QGuiApplication, QImage, QPainter  # noqa: E402
from PySide6.QtSvg import QSvgRenderer  # noqa: E402

root = Path(__file__).resolve().parent.parent / "resources" / "app"
app = QGuiApplication(sys.argv)
img = QImage(256, 256, QImage.Format.Format_ARGB32)
img.fill(Qt.GlobalColor.transparent)
painter = QPainter(img)
QSvgRenderer(str(root / "workbench.svg")).render(painter)
painter.end()
img.save(str(root / "workbench.png"))
print(root / "workbench.png")
