"""Details of the selected layer: Tags as a bar chart, Matches as a ranked list, others as a summary."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QStackedWidget, QVBoxLayout, QWidget

from workbench.core.layers import Matches, Segments, Tags

from .layer_panel import layer_summary


class DetailsPanel(QWidget):
    """Emits ``match_activated(match)`` when a match is double-clicked (jump to its alignment)."""

    match_activated = Signal(object)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.stack = QStackedWidget()
        self.summary = QLabel("Select a layer to see its details.")
        self.summary.setWordWrap(True)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.bars = pg.PlotWidget()
        self.bars.hideButtons()
        self.bars.setMouseEnabled(x=False, y=False)
        self.matches = QListWidget()
        self.matches.setObjectName("matchesList")
        self.matches.itemDoubleClicked.connect(self._activated)
        for w in (self.summary, self.bars, self.matches):
            self.stack.addWidget(w)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.stack)
        self._layer = None

    def current_layer(self):
        """The layer whose details are shown (None when none)."""
        return self._layer

    def show_layer(self, layer, color=None) -> None:
        self._layer = layer
        if isinstance(layer, Tags):
            self._show_tags(layer, color)
        elif isinstance(layer, Matches):
            self.matches.clear()
            for i, m in enumerate(layer.matches, 1):
                extra = (f"  ({m.transposition:+d} st)" if m.transposition else "") + (
                    f"  tempo ×{m.tempo_ratio:.2f}" if abs(m.tempo_ratio - 1) > 0.01 else "")
                self.matches.addItem(f"{i:2d}. {m.title or m.item}   score {m.score:.3f}{extra}")
            self.stack.setCurrentWidget(self.matches)
        elif layer is None:
            self.summary.setText("Select a layer to see its details.")
            self.stack.setCurrentWidget(self.summary)
        else:
            import html

            a, b = layer.time_span
            text = f"<b>{html.escape(layer.name)}</b><br>{html.escape(layer_summary(layer))}<br>from {a:.2f} s to {b:.2f} s"
            if isinstance(layer, Segments) and len(layer):
                text += f"<p>{html.escape(layer.text[:4000])}</p>"
            self.summary.setText(text)
            self.stack.setCurrentWidget(self.summary)

    def _show_tags(self, layer: Tags, color) -> None:
        top = layer.top(12)[::-1]
        self.bars.clear()
        y = np.arange(len(top))
        self.bars.addItem(pg.BarGraphItem(x0=0, y=y, height=0.7, width=[s for _, s in top],
                                          brush=pg.mkBrush(color or "#00e5ff")))
        self.bars.getAxis("left").setTicks([[(i, lab[:22]) for i, (lab, _) in enumerate(top)]])
        self.bars.setXRange(0, max([s for _, s in top] + [1e-3]))
        self.bars.setYRange(-0.5, len(top) - 0.5)
        self.stack.setCurrentWidget(self.bars)

    def _activated(self, item) -> None:
        if isinstance(self._layer, Matches):
            self.match_activated.emit(self._layer.matches[self.matches.row(item)])
