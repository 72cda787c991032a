"""Save and re-open a project (layers, their view state, derived tracks); export layers from the GUI."""

from __future__ import annotations

import csv

import numpy as np
from PySide6.QtGui import QColor

from workbench.core.audio import AudioBuffer
from workbench.core.layers import Curve, Notes, Tracks

from .conftest import open_file


def test_save_and_open_project_round_trip(make_window, tone_file, tmp_path, qtbot):
    w = make_window()
    audio = open_file(qtbot, w, tone_file)
    f0 = Curve(name="f0", unit="Hz", times=np.arange(10) * 0.1, values=np.full(10, 1000.0))
    notes = Notes(name="notes", onsets=[0.2], offsets=[0.8], pitches=[83.0])
    quiet = AudioBuffer(audio.samples * 0.5, audio.sample_rate, name="quiet")
    w.doc.add_layers([f0, notes, Tracks(name="quiet", tracks={"quiet": quiet})])
    w.doc.set_visible(notes, False)
    w.doc.set_color(f0, QColor("#123456"))
    project = tmp_path / "session.awproj"
    assert w.files.save_project_to(project)
    assert project.exists() and w.doc.undo_stack.isClean()

    w2 = make_window()
    with qtbot.waitSignal(w2.file_opened, timeout=20000):
        w2.files.open_paths([str(project)])
    names = [layer.name for layer in w2.doc.layers]
    assert names == ["f0", "notes", "quiet"]
    loaded_f0, loaded_notes, loaded_tracks = w2.doc.layers
    assert np.allclose(loaded_f0.values, 1000.0)
    assert not w2.doc.is_visible(loaded_notes) and w2.doc.color(loaded_f0).name() == "#123456"
    assert not w2.layer_views.view(loaded_notes).bars.isVisible()
    assert w2.transport.source.count() == 2  # the saved track is back in the A/B list
    assert np.allclose(loaded_tracks.tracks["quiet"].samples, quiet.samples, atol=1e-6)
    assert w2.doc.project_path == project


def test_open_missing_project_shows_error(make_window, tmp_path, qtbot):
    w = make_window()
    with qtbot.waitSignal(w.file_error, timeout=20000) as err:
        w.files.open_paths([str(tmp_path / "nothing.awproj")])
    assert "nothing.awproj" in err.args[0]
    assert w.doc.audio is None


def test_export_layer_to_csv_and_all_to_jams(make_window, tone_file, tmp_path, qtbot):
    import jams

    w = make_window()
    open_file(qtbot, w, tone_file)
    f0 = Curve(name="f0", unit="Hz", times=[0.0, 0.01, 0.02], values=[440.0, 441.0, 442.0])
    w.doc.add_layers([f0])
    out = tmp_path / "f0.csv"
    assert w.files.export_to([f0], str(out))
    rows = [r for r in csv.reader(out.open()) if r and not r[0].startswith("#")]
    values = [float(r[1]) for r in rows if r[0].replace(".", "").isdigit()]
    assert values == [440.0, 441.0, 442.0]
    assert w.files.export_to(list(w.doc.layers), str(tmp_path / "all.jams"))
    assert len(jams.load(str(tmp_path / "all.jams")).annotations) >= 1
    assert not w.files.export_to([f0], str(tmp_path / "f0.mid"))  # a curve is not MIDI: message, no crash
    assert ".mid" in w.files.last_error or "mid" in w.files.last_error
