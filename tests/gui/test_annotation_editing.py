"""Annotations in the GUI: import (menu and drag-and-drop), keyboard editing of every editable kind with undo and
redo, the edited layer's name and provenance, and export of every layer into a folder."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from workbench.core.export import export_layer
from workbench.core.layers import Curve, Events, Notes, Words

from .conftest import open_file


def _select_layer(w, layer):
    w.layers.list.setCurrentItem(w.layers.item_of(layer))
    assert w.layers.current() is layer


def _keys(qtbot, w, key, mods=Qt.KeyboardModifier.NoModifier):
    w.pane.plot.setFocus()
    qtbot.keyClick(w.pane.plot, key, mods)


def test_import_menu_and_drop_add_layers_with_undo(make_window, tone_file, tmp_path, qtbot):
    w = make_window()
    open_file(qtbot, w, tone_file)
    (tmp_path / "dog.txt").write_text("0.25\t0.75\tDog\n1.0\t1.5\tBird\n")
    f0 = Curve(name="f0", unit="Hz", times=np.arange(0, 2, 0.01), values=np.full(200, 1000.0))
    export_layer(f0, tmp_path / "f0.svl")
    assert w.files.annotations.import_paths([str(tmp_path / "dog.txt")])
    qtbot.waitUntil(lambda: len(w.doc.layers) == 1, timeout=10000)
    (ev,) = w.doc.layers
    assert isinstance(ev, Events) and ev.labels == ["Dog", "Bird"] and w.layer_views.view(ev) is not None
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "f0.svl"))])
    drop = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    w.dropEvent(drop)  # an annotation dropped on an open document joins it; the audio stays
    qtbot.waitUntil(lambda: len(w.doc.layers) == 2, timeout=10000)
    assert isinstance(w.doc.layers[1], Curve) and w.doc.layers[1].unit == "Hz"
    assert w.doc.audio.source is not None and str(w.doc.audio.source).endswith("tone1k.wav")
    w.doc.undo_stack.undo()
    assert len(w.doc.layers) == 1


def test_import_without_audio_and_bad_files_are_messages(make_window, tone_file, tmp_path, qtbot):
    w = make_window()
    (tmp_path / "a.txt").write_text("1\t2\tx\n")
    assert not w.files.annotations.import_paths([str(tmp_path / "a.txt")])
    assert "Open the audio file first" in w.files.last_error
    (tmp_path / "bad.TextGrid").write_text("nonsense")
    open_file(qtbot, w, tone_file)
    with qtbot.waitSignal(w.file_error, timeout=10000) as err:
        w.files.annotations.import_paths([str(tmp_path / "bad.TextGrid")])
    assert "not a Praat TextGrid" in err.args[0]


def test_edit_events_from_the_keyboard_with_undo_redo(make_window, tone_file, qtbot):
    w = make_window()
    open_file(qtbot, w, tone_file)
    ev = Events(name="sed", source="sed", starts=[0.2, 1.0], ends=[0.6, 1.4], labels=["Dog", "Cat"],
                metadata={"model": "yamnet", "device": "cpu"})
    w.doc.add_layers([ev])
    _select_layer(w, ev)
    w.pane.set_selection(0.7, 0.9)
    assert w.editor.add("Bird")
    new = w.doc.layers[0]
    assert new.labels == ["Dog", "Bird", "Cat"] and new.name == "sed (edited)"
    assert new.source == "sed" and new.metadata["model"] == "yamnet" and new.metadata["device"] == "cpu"
    assert new.metadata["edited"] and w.layers.current() is new and w.layer_views.view(new) is not None
    w.pane.clear_selection()
    w.pane.set_playhead(1.2)
    assert w.editor.relabel("Cow")
    assert w.doc.layers[0].labels[2] == "Cow"
    _keys(qtbot, w, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # move the item at the cursor 10 ms
    assert w.doc.layers[0].starts[2] == 1.01
    w.pane.set_selection(0.1, 0.65)
    _keys(qtbot, w, Qt.Key.Key_Delete)
    assert w.doc.layers[0].labels == ["Bird", "Cow"]
    w.pane.set_selection(0.5, 0.95)
    w.pane.set_playhead(0.8)
    assert w.editor.fit_to_selection()
    assert (w.doc.layers[0].starts[0], w.doc.layers[0].ends[0]) == (0.5, 0.95)
    for _ in range(5):
        w.doc.undo_stack.undo()
    assert w.doc.layers[0] is ev and ev.labels == ["Dog", "Cat"]  # the original, untouched
    w.doc.undo_stack.redo()
    assert w.doc.layers[0].labels == ["Dog", "Bird", "Cat"]


def test_edit_words_notes_and_f0(make_window, tone_file, qtbot, tmp_path):
    w = make_window()
    open_file(qtbot, w, tone_file)
    words = Words(name="words", source="asr", starts=[0.1, 0.6], ends=[0.5, 0.9], texts=["hello", "wrld"])
    notes = Notes(name="notes", source="notes", onsets=[0.2, 1.0], offsets=[0.8, 1.6], pitches=[83.0, 84.0])
    t = np.arange(0, 2, 0.01)
    f0 = Curve(name="f0", source="pitch", unit="Hz", times=t, values=np.full(len(t), 1000.0),
               voiced=np.ones(len(t), bool), metadata={"model": "fcpe"})
    w.doc.add_layers([words, notes, f0])

    lanes_before = [v.layer.name for v in w.lanes.views]
    _select_layer(w, words)
    w.pane.set_playhead(0.7)
    assert w.editor.relabel("world") and w.doc.layers[0].texts == ["hello", "world"]
    assert w.doc.layers[0].kind == "words"
    assert [v.layer.name for v in w.lanes.views] == ["words (edited)"] + lanes_before[1:]  # keeps its place
    assert w.lanes.box.itemAt(0).widget() is w.layer_views.view(w.doc.layers[0]).lanes[0]

    _select_layer(w, w.doc.layers[1])
    w.pane.set_selection(0.1, 0.9)
    _keys(qtbot, w, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # the note in the selection, a semitone up
    assert list(w.doc.layers[1].pitches) == [84.0, 84.0]
    w.pane.set_selection(1.7, 1.9)
    assert w.editor.add("C5") and w.doc.layers[1].pitches[-1] == 72.0

    _select_layer(w, w.doc.layers[2])
    w.pane.set_selection(0.5, 1.0)
    _keys(qtbot, w, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # an octave slip fixed
    sel = (t >= 0.5) & (t <= 1.0)
    np.testing.assert_allclose(w.doc.layers[2].values[sel], 500.0)
    np.testing.assert_allclose(w.doc.layers[2].values[~sel], 1000.0)
    w.pane.set_selection(1.2, 1.4)
    _keys(qtbot, w, Qt.Key.Key_Delete)  # erase f0
    assert not w.doc.layers[2].voiced[(t >= 1.2) & (t <= 1.4)].any()
    assert w.editor.draw_f0(300.0, 600.0)
    drawn = w.doc.layers[2]
    assert drawn.voiced[(t >= 1.2) & (t <= 1.4)].all() and drawn.name == "f0 (edited)"
    assert drawn.metadata["model"] == "fcpe" and len(drawn.metadata["edits"]) == 3
    assert w.grab().save(str(tmp_path / "editing.png"))  # renders with edited layers
    written = w.files.annotations.export_to_folder(str(tmp_path / "out"))
    assert sorted(p.name for p in written) == ["f0_edited.csv", "notes_edited.mid", "words_edited.srt"]
    w.doc.undo_stack.undo()
    w.doc.undo_stack.undo()
    w.doc.undo_stack.undo()
    assert w.doc.layers[2] is f0 and w.doc.layers[2].name == "f0"


def test_edit_errors_are_messages_not_crashes(make_window, tone_file, qtbot):
    w = make_window()
    open_file(qtbot, w, tone_file)
    assert not w.editor.delete() and "Select the layer" in w.editor.last_error
    ev = Events(name="e", starts=[0.2], ends=[0.4], labels=["x"])
    w.doc.add_layers([ev])
    _select_layer(w, ev)
    w.pane.clear_selection()
    assert not w.editor.add("y") and "Select a time span" in w.editor.last_error
    w.pane.set_playhead(1.5)
    assert not w.editor.relabel("z") and "Nothing to relabel" in w.editor.last_error
    assert w.doc.layers[0] is ev



def test_rename_a_speaker_everywhere_in_the_turns_layer_with_undo(make_window, tone_file, qtbot):
    w = make_window()
    open_file(qtbot, w, tone_file)
    turns = Events(name="speakers", source="diarization", starts=[0.0, 0.5, 1.0], ends=[0.4, 0.9, 1.5],
                   labels=["Speaker 1", "Speaker 2", "Speaker 1"])
    w.doc.add_layers([turns])
    _select_layer(w, turns)
    w.pane.clear_selection()
    w.pane.set_playhead(1.2)
    assert w.editor.rename_class("Alice")
    assert w.doc.layers[0].labels == ["Alice", "Speaker 2", "Alice"]
    w.doc.undo_stack.undo()
    assert w.doc.layers[0].labels == ["Speaker 1", "Speaker 2", "Speaker 1"]


def test_transcript_lane_is_coloured_by_speaker(make_window, tone_file, qtbot):
    w = make_window()
    open_file(qtbot, w, tone_file)
    words = Words(name="words", starts=[0.0, 0.5, 1.0], ends=[0.4, 0.9, 1.4], texts=["hi", "there", "you"],
                  metadata={"speakers": ["Speaker 1", "Speaker 2", "Speaker 1"]})
    w.doc.add_layers([words])
    colors = [c.name() for c in w.layer_views.view(words).span_colors()]
    assert colors[0] == colors[2] != colors[1]
