"""A form generated from a plugin manifest's typed parameters (Float, Int, Bool, Choice, Text)."""

from __future__ import annotations

import math
from typing import Any, Sequence

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout, QLineEdit, QPlainTextEdit,
                               QSpinBox, QWidget)

from workbench.core.params import Bool, Choice, Float, Int, Param, Text


def _decimals(p: Float) -> int:
    span = (p.range[1] - p.range[0]) if p.range else 100.0
    step = p.step or (span / 100.0 if span > 0 else 0.1)
    return int(min(6, max(1, -math.floor(math.log10(step)) + 1))) if step > 0 else 3


class ParamForm(QWidget):
    """One row per parameter; ``values()`` returns the dict to pass to the plugin."""

    def __init__(self, params: Sequence[Param], parent: QWidget | None = None):
        super().__init__(parent)
        self.params = list(params)
        self.widgets: dict[str, QWidget] = {}
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        for p in self.params:
            w = self._make(p)
            if p.help:
                w.setToolTip(p.help)
            w.setObjectName(f"param_{p.name}")
            self.widgets[p.name] = w
            form.addRow(p.title, w)

    @staticmethod
    def _make(p: Param) -> QWidget:
        if isinstance(p, Float):
            w = QDoubleSpinBox()
            lo, hi = p.range if p.range else (-1e9, 1e9)
            w.setDecimals(_decimals(p))
            w.setRange(lo, hi)
            w.setSingleStep(p.step or max((hi - lo) / 100.0, 10 ** -w.decimals()) if p.range else (p.step or 1.0))
            if p.unit:
                w.setSuffix(f" {p.unit}")
            w.setValue(float(p.default if p.default is not None else lo))
            return w
        if isinstance(p, Int):
            w = QSpinBox()
            lo, hi = p.range if p.range else (-2**31 + 1, 2**31 - 1)
            w.setRange(int(lo), int(hi))
            if p.unit:
                w.setSuffix(f" {p.unit}")
            w.setValue(int(p.default if p.default is not None else lo))
            return w
        if isinstance(p, Bool):
            w = QCheckBox()
            w.setChecked(bool(p.default))
            return w
        if isinstance(p, Choice):
            w = QComboBox()
            w.addItems([str(c) for c in p.choices])
            if p.default is not None and str(p.default) in p.choices:
                w.setCurrentText(str(p.default))
            return w
        if isinstance(p, Text) and p.multiline:
            w = QPlainTextEdit(str(p.default or ""))
            w.setFixedHeight(70)
            return w
        return QLineEdit("" if p.default is None else str(p.default))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for p in self.params:
            w = self.widgets[p.name]
            if isinstance(w, QDoubleSpinBox):
                out[p.name] = float(w.value())
            elif isinstance(w, QSpinBox):
                out[p.name] = int(w.value())
            elif isinstance(w, QCheckBox):
                out[p.name] = bool(w.isChecked())
            elif isinstance(w, QComboBox):
                out[p.name] = w.currentText()
            elif isinstance(w, QPlainTextEdit):
                out[p.name] = w.toPlainText()
            else:
                out[p.name] = w.text()
        return out

    def set_value(self, name: str, value: Any) -> None:
        w = self.widgets[name]
        if isinstance(w, (QDoubleSpinBox, QSpinBox)):
            w.setValue(value)
        elif isinstance(w, QCheckBox):
            w.setChecked(bool(value))
        elif isinstance(w, QComboBox):
            w.setCurrentText(str(value))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(str(value))
        else:
            w.setText(str(value))
