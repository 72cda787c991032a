"""The GUI never loses unsaved work without asking: open, drop, New and close ask Save / Discard / Cancel;
a damaged project never half-replaces the open document; a project whose audio moved can be re-linked."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

import pytestqt  # noqa: E402,F401  -- a test dependency: missing is an error, not a skip

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402
from PySide6.QtWidgets import QFileDialog, QMessageBox  # noqa: E402

from tests.gui.conftest import make_window, open_file, store, write_tone  # noqa: E402,F401  (fixtures)
from workbench.core.layers import Curve  # noqa: E402

B = QMessageBox.StandardButton


def _with_layer(qtbot, w, path):
    open_file(qtbot, w, path)
    w.doc.add_layers([Curve(name="f0", times=np.arange(10) * 0.1, values=np.full(10, 440.0))], "Run pitch")
    assert w.files.has_unsaved_changes()


@pytest.fixture
def two_files(tmp_path):
    return write_tone(tmp_path / "a.wav", 440.0), write_tone(tmp_path / "b.wav", 880.0, seconds=1.0)


def test_open_asks_and_cancel_keeps_everything(make_window, qtbot, two_files):
    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    audio = w.doc.audio
    assert w.files.open_paths([two_files[1]])
    box = w.files.unsaved_box
    assert box is not None and box.isVisible() and "not saved" in box.text()
    box.button(B.Cancel).click()
    qtbot.wait(200)
    assert w.doc.audio is audio and [layer.name for layer in w.doc.layers] == ["f0"]
    w.files.open_paths([two_files[1]])
    with qtbot.waitSignal(w.file_opened, timeout=20000):
        w.files.unsaved_box.button(B.Discard).click()
    assert w.doc.audio.source.name == "b.wav" and w.doc.layers == []


def test_save_from_the_question_saves_then_opens(make_window, qtbot, two_files, tmp_path, monkeypatch):
    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    project = tmp_path / "kept.awproj"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(project), ""))
    w.files.open_paths([two_files[1]])
    with qtbot.waitSignal(w.file_opened, timeout=20000):
        w.files.unsaved_box.button(B.Save).click()
    assert json.loads(project.read_text())["layers"][0]["name"] == "f0"
    assert w.doc.audio.source.name == "b.wav"


def test_dropping_a_file_asks_first(make_window, qtbot, two_files):
    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(two_files[1])])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    w.dropEvent(event)
    assert w.files.unsaved_box is not None
    w.files.unsaved_box.button(B.Cancel).click()
    assert [layer.name for layer in w.doc.layers] == ["f0"]


def test_closing_asks_and_only_discard_closes(make_window, qtbot, two_files):
    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    assert not w.close() and w.isVisible()
    w.files.unsaved_box.button(B.Cancel).click()
    qtbot.wait(100)
    assert w.isVisible()
    w.close()
    w.files.unsaved_box.button(B.Discard).click()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=3000)


def test_closing_a_saved_document_does_not_ask(make_window, qtbot, two_files, tmp_path):
    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    assert w.files.save_project_to(tmp_path / "p.awproj")
    assert not w.files.has_unsaved_changes() and w.close()


def test_new_asks_then_gives_an_empty_window(make_window, qtbot, two_files):
    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    w.files.new_document()
    w.files.unsaved_box.button(B.Discard).click()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=3000)
    fresh = w.new_window
    qtbot.addWidget(fresh)
    assert fresh.isVisible() and fresh.doc.audio is None and fresh.doc.layers == []


def test_a_damaged_project_never_replaces_the_open_document(make_window, qtbot, two_files, tmp_path):
    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    assert w.files.save_project_to(tmp_path / "good.awproj")
    audio = w.doc.audio
    bad = json.loads((tmp_path / "good.awproj").read_text())
    bad["layers"][0]["times"] = "not numbers"
    (tmp_path / "bad.awproj").write_text(json.dumps(bad))
    with qtbot.waitSignal(w.file_error, timeout=20000) as sig:
        w.files.open_paths([str(tmp_path / "bad.awproj")])
    assert "layer 1 ('f0'), field 'times'" in sig.args[0] and "\n" not in sig.args[0]
    assert w.doc.audio is audio and [layer.name for layer in w.doc.layers] == ["f0"]
    assert "Opening" not in w.statusBar().currentMessage()


def test_a_project_whose_audio_moved_can_be_relinked(make_window, qtbot, two_files, tmp_path, monkeypatch):
    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    project = tmp_path / "p.awproj"
    assert w.files.save_project_to(project)
    moved = tmp_path / "moved" / "a.wav"
    moved.parent.mkdir()
    shutil.move(two_files[0], moved)
    w2 = make_window()
    w2.files.open_paths([str(project)])
    qtbot.waitUntil(lambda: w2.files.relink_box is not None, timeout=20000)
    assert "missing" in w2.files.relink_box.text()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(moved), ""))
    with qtbot.waitSignal(w2.file_opened, timeout=20000):
        w2.files.relink_box.button(B.Open).click()
    assert w2.doc.audio.source == moved and [layer.name for layer in w2.doc.layers] == ["f0"]
    assert w2.files.has_unsaved_changes()  # the new location is not saved yet: closing will ask


def test_autosave_is_offered_back_after_a_crash(make_window, store, qtbot, two_files, tmp_path):  # noqa: F811
    """A window autosaves its unsaved layers; when its process died, the next start offers to recover them."""
    import subprocess
    import sys

    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    assert w.files.autosave.save_now()
    info_path = w.files.autosave.path.with_suffix(".json")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    info = json.loads(info_path.read_text())
    info_path.write_text(json.dumps({**info, "pid": dead.pid}))  # as if that process had crashed
    w.files.autosave.timer.stop()
    w.files.autosave.path = w.files.autosave.path.with_name("session-other.awproj")  # keep the "crashed" files

    from workbench.gui.main_window import MainWindow

    w2 = MainWindow(settings=store)  # the next start (same settings folder); the question takes the focus
    qtbot.addWidget(w2)
    w2.show()
    qtbot.waitUntil(lambda: w2.files.autosave.recovery_box is not None, timeout=5000)
    assert "did not close properly" in w2.files.autosave.recovery_box.text()
    with qtbot.waitSignal(w2.file_opened, timeout=20000):
        w2.files.autosave.recovery_box.button(B.Open).click()
    assert [layer.name for layer in w2.doc.layers] == ["f0"] and w2.doc.audio.source.name == "a.wav"
    assert w2.files.has_unsaved_changes()  # recovered work is still unsaved: closing will ask
    assert not info_path.exists()  # the leftover was taken over
    w2.playback.close()
    w2.jobs.shutdown()
    w2.pane.bridge.close()


def test_a_clean_close_leaves_no_autosave(make_window, qtbot, two_files, tmp_path):
    w = make_window()
    _with_layer(qtbot, w, two_files[0])
    assert w.files.autosave.save_now() and w.files.autosave.path.is_file()
    folder = w.files.autosave.folder
    assert w.files.save_project_to(tmp_path / "p.awproj")
    assert w.close() and list(folder.iterdir()) == []
