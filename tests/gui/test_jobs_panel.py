"""Several jobs from the GUI: Run stays enabled, the Jobs panel lists each run with progress and Cancel, a long
pitch run draws its curve while it runs, and cancelling it keeps what was done."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from workbench.core.jobs import JobState
from workbench.core.layers import Curve
from workbench.core.registry import PluginRegistry, default_registry

from .conftest import open_file, write_tone


@pytest.fixture(scope="module")
def registry():
    from tests.core.sample_plugins import RMS

    reg = default_registry()
    if "pitch" not in reg:
        pytest.fail("the pitch plugin is not registered")
    return PluginRegistry([reg.get("pitch"), RMS])


def test_two_plugins_run_at_once_partial_results_show_and_cancel_keeps_them(make_window, tmp_path, qtbot,
                                                                             registry):
    w = make_window(registry)
    open_file(qtbot, w, write_tone(tmp_path / "long.wav", freq=220.0, seconds=900.0, sr=8000, amp=0.3))
    panel = w.plugins
    panel.select_plugin("pitch")
    panel.run()
    pitch = panel.job
    assert panel.run_button.isEnabled()  # another run may start at once

    def partial_curves():
        return [la for la in w.doc.layers if isinstance(la, Curve) and la.metadata.get("partial")]

    qtbot.waitUntil(lambda: bool(partial_curves()), timeout=60000)  # drawn while the job runs
    assert pitch.state == JobState.RUNNING
    first = len(partial_curves()[0].times)
    assert 0 < first < 900 * 100  # only part of the file

    panel.select_plugin("test-rms")  # a second plugin while pitch is still running
    with qtbot.waitSignal(panel.layers_ready, timeout=30000) as got:
        panel.run()
    assert got.args[1] == "Frame RMS" and pitch.state == JobState.RUNNING
    assert any(la.name == "rms" for la in w.doc.layers)

    rows = w.jobs_panel.rows
    assert list(rows) == [pitch.id, next(j for j in rows if j != pitch.id)] and len(rows) == 2
    assert rows[pitch.id].cancel.isEnabled()
    qtbot.waitUntil(lambda: len(partial_curves()[0].times) > first, timeout=60000)  # it keeps growing
    qtbot.mouseClick(rows[pitch.id].cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: pitch.state == JobState.CANCELLED, timeout=30000)
    qtbot.waitUntil(lambda: "kept" in rows[pitch.id].bar.format(), timeout=10000)
    curves = [la for la in w.doc.layers if isinstance(la, Curve) and la.name != "rms"]
    assert len(curves) == 1 and curves[0].metadata["partial"] and len(curves[0].times) > first
    w.doc.undo_stack.undo()  # the kept partial result is an ordinary, undoable layer
    assert not [la for la in w.doc.layers if isinstance(la, Curve) and la.name != "rms"]
    w.jobs_panel.clear_finished()
    assert not w.jobs_panel.rows
