"""The dark theme: Fusion style, a dark palette, a small stylesheet and pyqtgraph colours."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

BG, BASE, PANEL, TEXT, DIM, ACCENT = "#1e1f22", "#16171a", "#26282c", "#dcdde0", "#8b8f97", "#3d8bfd"

STYLESHEET = f"""
QMainWindow, QDockWidget {{ background: {BG}; }}
QDockWidget::title {{ background: {PANEL}; padding: 4px 8px; color: {TEXT}; font-weight: 600; }}
QToolBar {{ background: {PANEL}; border: none; border-bottom: 1px solid #111; spacing: 4px; padding: 2px 4px; }}
QToolBar QLabel {{ color: {DIM}; }}
QToolButton {{ padding: 3px 8px; border-radius: 4px; color: {TEXT}; }}
QToolButton:hover {{ background: #34373d; }}
QToolButton:checked {{ background: {ACCENT}; color: white; }}
QToolButton#playButton {{ background: #2f6f3e; color: white; font-weight: 600; min-width: 76px; }}
QToolButton#playButton:hover {{ background: #3a8a4d; }}
QToolButton#laneButton {{ padding: 0px 5px; background: #2b2d31; border: 1px solid #444; font-size: 10px; }}
QToolButton#laneButton:checked {{ background: #c0392b; }}
QLabel#laneTitle {{ color: {TEXT}; background: rgba(20,20,24,170); padding: 0px 4px; border-radius: 3px;
                    font-size: 10px; }}
QLabel#timeLabel {{ color: #ffd54a; font-family: monospace; font-size: 13px; padding: 0 8px; }}
QPushButton {{ background: #34373d; color: {TEXT}; border: 1px solid #45484f; border-radius: 4px; padding: 4px 14px; }}
QPushButton:hover {{ background: #3d4047; }}
QPushButton:disabled {{ color: #666; background: #2a2c30; }}
QPushButton#runButton {{ background: {ACCENT}; color: white; border: none; font-weight: 600; }}
QPushButton#runButton:disabled {{ background: #2d4a73; color: #aaa; }}
QComboBox, QDoubleSpinBox, QSpinBox, QLineEdit, QPlainTextEdit {{
    background: {BASE}; color: {TEXT}; border: 1px solid #3a3d43; border-radius: 3px; padding: 2px 4px; }}
QListWidget {{ background: {BASE}; border: 1px solid #2e3035; }}
QListWidget::item {{ padding: 4px; }}
QListWidget::item:selected {{ background: #2d4a73; }}
QProgressBar {{ background: {BASE}; border: 1px solid #3a3d43; border-radius: 3px; text-align: center; color: {TEXT}; }}
QProgressBar::chunk {{ background: {ACCENT}; border-radius: 2px; }}
QStatusBar {{ background: {PANEL}; color: {DIM}; }}
QStatusBar QLabel {{ color: {TEXT}; padding: 0 8px; font-family: monospace; }}
QSplitter::handle {{ background: #111; }}
QScrollBar:horizontal {{ background: {BASE}; height: 12px; }}
QScrollBar::handle:horizontal {{ background: #4a4d55; border-radius: 5px; min-width: 24px; margin: 2px; }}
QMenuBar {{ background: {PANEL}; color: {TEXT}; }}
QMenuBar::item:selected, QMenu::item:selected {{ background: {ACCENT}; color: white; }}
QMenu {{ background: {PANEL}; color: {TEXT}; border: 1px solid #111; }}
QLabel#pluginDescription {{ color: {DIM}; }}
"""


def apply_theme(app: QApplication) -> None:
    """Dark Fusion theme for widgets and matching pyqtgraph defaults."""
    app.setStyle("Fusion")
    pal = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, BG), (QPalette.ColorRole.WindowText, TEXT), (QPalette.ColorRole.Base, BASE),
        (QPalette.ColorRole.AlternateBase, PANEL), (QPalette.ColorRole.Text, TEXT), (QPalette.ColorRole.Button, PANEL),
        (QPalette.ColorRole.ButtonText, TEXT), (QPalette.ColorRole.Highlight, ACCENT),
        (QPalette.ColorRole.HighlightedText, "#ffffff"), (QPalette.ColorRole.ToolTipBase, PANEL),
        (QPalette.ColorRole.ToolTipText, TEXT), (QPalette.ColorRole.PlaceholderText, DIM),
    ):
        pal.setColor(role, QColor(color))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#666"))
    pal.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#666"))
    app.setPalette(pal)
    app.setStyleSheet(STYLESHEET)
    pg.setConfigOptions(background=BASE, foreground=DIM, antialias=True)
