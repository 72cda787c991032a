"""Editing result layers from the keyboard, as in Audacity and Sonic Visualiser: Edit > Annotation.

The layer edited is the one selected in the Layers panel; the items are those in the time selection, or the
one under the cursor when nothing is selected. Every edit replaces the layer by an edited copy
(:mod:`workbench.core.layer_edit`) through the document's undo stack, so Ctrl+Z / Ctrl+Shift+Z undo and redo it.

Keys (while the timeline has focus): Return add an item over the selection · F2 relabel · Delete delete items
(f0: erase the selection) · Ctrl+R fit the item to the selection · Alt+Left/Right move items by 10 ms ·
Alt+Up/Down notes a semitone, f0 an octave · Ctrl+D draw f0 over the selection.
"""

from __future__ import annotations

import re

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QInputDialog, QMenu

from workbench.core import layer_edit as E
from workbench.core.errors import WorkbenchError
from workbench.core.layers import Curve, Events, Layer, Notes, Segments

NUDGE_S = 0.01
HELP_LINES = ["Return: add an annotation over the selection · F2: relabel · Shift+F2: rename a class or speaker · "
              "Delete: delete (f0: erase) · "
              "Ctrl+R: fit to selection",
              "Alt+Left/Right: move by 10 ms · Alt+Up/Down: note ±1 semitone, f0 ±1 octave · Ctrl+D: draw f0"]
_NOTE = re.compile(r"^\s*([A-Ga-g])([#b]?)(-?\d+)\s*$")


def parse_pitch(text: str) -> float:
    """A MIDI pitch from '64', '64.5' or a note name such as 'E4', 'C#3', 'Bb2'."""
    m = _NOTE.match(text)
    if m:
        base = {"c": 0, "d": 2, "e": 4, "f": 5, "g": 7, "a": 9, "b": 11}[m.group(1).lower()]
        return float(base + {"#": 1, "b": -1, "": 0}[m.group(2)] + 12 * (int(m.group(3)) + 1))
    try:
        return float(text)
    except ValueError:
        raise WorkbenchError(f"'{text}' is not a pitch: write a MIDI number (60) or a note name (C4)") from None


class _ReplaceLayer(QUndoCommand):
    """Swap a layer for its edited copy at the same place in the document (and back on undo)."""

    def __init__(self, editor: "LayerEditor", old: Layer, new: Layer, text: str):
        super().__init__(text)
        self.editor, self.old, self.new = editor, old, new

    def _swap(self, out: Layer, into: Layer) -> None:
        doc = self.editor.w.doc
        index = doc._remove(out)
        doc._insert(into, index)
        self.editor.select(into)

    def redo(self):
        self._swap(self.old, self.new)

    def undo(self):
        self._swap(self.new, self.old)


class LayerEditor:
    """The Edit > Annotation actions of a :class:`MainWindow`; errors go to the status bar."""

    def __init__(self, window):
        self.w = window
        self.last_error = ""

    def build_menu(self, menu: QMenu) -> None:
        m = menu.addMenu("A&nnotation")
        actions = [
            self.w._act(m, "&Add over selection…", lambda: self.add(), "Return"),
            self.w._act(m, "&Relabel…", lambda: self.relabel(), "F2"),
            self.w._act(m, "Rename &class or speaker…", lambda: self.rename_class(), "Shift+F2"),
            self.w._act(m, "&Delete (f0: erase selection)", self.delete, ["Delete", "Backspace"]),
            self.w._act(m, "&Fit to selection", self.fit_to_selection, "Ctrl+R"),
            self.w._act(m, "Move &earlier", lambda: self.move(-NUDGE_S), "Alt+Left"),
            self.w._act(m, "Move &later", lambda: self.move(NUDGE_S), "Alt+Right"),
            self.w._act(m, "&Up (note: semitone, f0: octave)", lambda: self.shift(1), "Alt+Up"),
            self.w._act(m, "Do&wn (note: semitone, f0: octave)", lambda: self.shift(-1), "Alt+Down"),
            self.w._act(m, "Dra&w f0 over selection…", lambda: self.draw_f0(), "Ctrl+D"),
        ]
        for a in actions:  # like the navigation keys: only while the timeline has focus
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.w.centralWidget().addAction(a)

    # ----- what is edited ----------------------------------------------------------------------------
    def layer(self, kinds=(Curve, Notes, Events, Segments)) -> Layer:
        layer = self.w.layers.current()
        if layer is None:
            raise WorkbenchError("Select the layer to edit in the Layers panel")
        if not isinstance(layer, kinds):
            raise WorkbenchError(f"A {layer.kind} layer cannot be edited this way")
        return layer

    def selection(self) -> tuple[float, float]:
        sel = self.w.pane.selection()
        if sel is None:
            raise WorkbenchError("Select a time span first (drag over the timeline)")
        return sel

    def cursor(self) -> float:
        return float(self.w.pane.playhead.value())

    def picked(self, layer: Layer) -> np.ndarray:
        """The items in the selection, else the one under the cursor."""
        sel = self.w.pane.selection()
        return E.items_in(layer, *sel) if sel is not None else E.items_in(layer, self.cursor())

    def select(self, layer: Layer) -> None:
        item = self.w.layers.item_of(layer)
        if item is not None:
            self.w.layers.list.setCurrentItem(item)

    def _run(self, make) -> bool:
        """Apply the edit ``make(layer) -> (new layer, description)``; a WorkbenchError is shown, not raised."""
        try:
            old = self.layer()
            new, text = make(old)
        except WorkbenchError as exc:
            self.last_error = str(exc)
            self.w.statusBar().showMessage(str(exc), 6000)
            return False
        self.w.doc.undo_stack.push(_ReplaceLayer(self, old, new, f"{text} in {old.name}"))
        return True

    @staticmethod
    def _one(indices: np.ndarray, what: str) -> int:
        if not len(indices):
            raise WorkbenchError(f"Nothing to {what}: put the cursor on an item or select it")
        return int(indices[0])

    # ----- the edits ---------------------------------------------------------------------------------
    def add(self, text: str | None = None) -> bool:
        """A new event / segment / word (label ``text``) or note (pitch ``text``) over the selection."""
        def make(layer):
            if isinstance(layer, Curve):
                raise WorkbenchError("For f0, draw over the selection (Ctrl+D)")
            a, b = self.selection()
            label = text if text is not None else self._ask("Add", "Pitch (MIDI or note name):" if
                                                            isinstance(layer, Notes) else "Label:", "")
            if isinstance(layer, Notes):
                return E.add_note(layer, a, b, parse_pitch(label)), "Add note"
            return E.add_span(layer, a, b, label), "Add"
        return self._run(make)

    def relabel(self, text: str | None = None) -> bool:
        def make(layer):
            if not isinstance(layer, (Events, Segments)):
                raise WorkbenchError("Only events, segments and words have labels")
            i = self._one(self.picked(layer), "relabel")
            old = layer.labels[i] if isinstance(layer, Events) else layer.texts[i]
            return E.relabel(layer, i, text if text is not None else self._ask("Relabel", "Label:", old)), "Relabel"
        return self._run(make)

    def rename_class(self, text: str | None = None) -> bool:
        """Every item with the label of the one under the cursor (a sound class, 'Speaker 1') gets a new name."""
        def make(layer):
            if not isinstance(layer, (Events, Segments)):
                raise WorkbenchError("Only events, segments and words have labels")
            i = self._one(self.picked(layer), "rename")
            old = layer.labels[i] if isinstance(layer, Events) else layer.texts[i]
            new = text if text is not None else self._ask("Rename", f"New name for every '{old}':", old)
            return E.rename_class(layer, old, new), f"Rename {old}"
        return self._run(make)

    def delete(self) -> bool:
        def make(layer):
            if isinstance(layer, Curve):
                return E.erase_curve(layer, *self.selection()), "Erase f0"
            return E.delete_items(layer, self.picked(layer)), "Delete"
        return self._run(make)

    def fit_to_selection(self) -> bool:
        def make(layer):
            if isinstance(layer, Curve):
                raise WorkbenchError("A curve has no items to resize")
            a, b = self.selection()
            i = self._one(E.items_in(layer, self.cursor()), "resize")  # the item under the cursor
            return E.set_bounds(layer, i, a, b), "Resize"
        return self._run(make)

    def move(self, dt: float) -> bool:
        def make(layer):
            if isinstance(layer, Curve):
                raise WorkbenchError("Move f0 by erasing and drawing it")
            return E.move_items(layer, self.picked(layer), dt=dt), "Move"
        return self._run(make)

    def shift(self, steps: int) -> bool:
        def make(layer):
            if isinstance(layer, Curve):
                return E.shift_octave(layer, *self.selection(), steps), f"Octave {steps:+d}"
            if isinstance(layer, Notes):
                return E.move_items(layer, self.picked(layer), semitones=steps), f"Transpose {steps:+d}"
            raise WorkbenchError("Up/Down changes the pitch of notes and f0")
        return self._run(make)

    def draw_f0(self, start_hz: float | None = None, end_hz: float | None = None) -> bool:
        def make(layer):
            if not isinstance(layer, Curve):
                raise WorkbenchError("Draw works on an f0 curve layer")
            a, b = self.selection()
            lo, hi = start_hz, end_hz
            if lo is None:
                answer = self._ask("Draw f0", "Frequency in Hz at the start and end (e.g. 220 or 220-330):", "")
                parts = [p for p in re.split(r"[\s,;-]+", answer) if p]
                try:
                    lo = float(parts[0])
                    hi = float(parts[-1])
                except (IndexError, ValueError):
                    raise WorkbenchError(f"'{answer}' is not a frequency in Hz") from None
            return E.draw_curve(layer, a, b, lo, hi if hi is not None else lo), "Draw f0"
        return self._run(make)

    def _ask(self, title: str, label: str, value: str) -> str:
        text, ok = QInputDialog.getText(self.w, title, label, text=value)
        if not ok:
            raise WorkbenchError("Cancelled")
        return text
