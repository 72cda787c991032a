"""The plugin panel: generated forms, progress, cancel, results as layers, errors as messages."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

from workbench.core.layers import Curve
from workbench.core.params import Bool, Choice, Float, Int, Text
from workbench.core.registry import PluginRegistry, default_registry
from workbench.gui.param_form import ParamForm

from .conftest import open_file, write_tone


def test_form_from_manifest_params(qtbot):
    params = (Float("gain", 1.5, range=(0.0, 4.0), unit="dB"), Int("n", 3, range=(1, 9)), Bool("flag", True),
              Choice("model", "b", choices=("a", "b")), Text("prompt", "hi"))
    form = ParamForm(params)
    qtbot.addWidget(form)
    assert isinstance(form.widgets["gain"], QDoubleSpinBox) and form.widgets["gain"].suffix() == " dB"
    assert form.widgets["gain"].maximum() == 4.0
    assert isinstance(form.widgets["n"], QSpinBox) and isinstance(form.widgets["flag"], QCheckBox)
    assert isinstance(form.widgets["model"], QComboBox)
    assert form.values() == {"gain": 1.5, "n": 3, "flag": True, "model": "b", "prompt": "hi"}
    form.set_value("model", "a")
    assert form.values()["model"] == "a"


@pytest.fixture(scope="module")
def pitch_registry():
    reg = default_registry()
    if "pitch" not in reg:
        pytest.fail("the pitch plugin is not registered")
    return PluginRegistry([reg.get("pitch")])


def test_pitch_plugin_run_shows_progress_and_adds_curve(make_window, tmp_path, qtbot, pitch_registry):
    w = make_window(pitch_registry)
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=1.5, sr=16000))
    panel = w.plugins
    panel.select_plugin("pitch")
    progress = []
    panel.bridge.progress.connect(lambda jid, f, text: progress.append(f))
    with qtbot.waitSignal(panel.layers_ready, timeout=60000) as got:
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
        assert panel.run_button.isEnabled() and panel.cancel_button.isEnabled()  # Run stays: jobs queue up
    layers = got.args[0]
    assert progress, "no progress reported"
    assert panel.progress.value() == 1000
    curve = next(layer for layer in layers if isinstance(layer, Curve))
    assert curve in w.doc.layers
    voiced = curve.values[(curve.values > 0) & (curve.voiced if curve.voiced is not None else True)]
    assert np.median(voiced) == pytest.approx(440.0, rel=0.03)
    view = w.layer_views.view(curve)
    _, y = view.line.getData()
    assert np.nanmedian(y) == pytest.approx(float(w.pane.freq_axis.to_position(440.0)), abs=2.0)
    assert panel.run_button.isEnabled()


def test_run_on_selection_shifts_times(make_window, tmp_path, qtbot, pitch_registry):
    w = make_window(pitch_registry)
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=330.0, seconds=3.0, sr=16000))
    w.pane.set_selection(1.0, 2.0)
    w.plugins.selection.setChecked(True)
    with qtbot.waitSignal(w.plugins.layers_ready, timeout=60000) as got:
        w.plugins.run()
    curve = got.args[0][0]
    assert curve.times[0] >= 0.99 and curve.times[-1] <= 2.01


def test_cancel_long_run(make_window, tmp_path, qtbot, pitch_registry):
    from workbench.core.jobs import JobState

    w = make_window(pitch_registry)
    open_file(qtbot, w, write_tone(tmp_path / "long.wav", freq=220.0, seconds=600.0, sr=8000, amp=0.3))
    panel = w.plugins
    panel.select_plugin("pitch")
    panel.run()
    job = panel.job
    qtbot.waitUntil(lambda: job.state == JobState.RUNNING, timeout=30000)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(w.jobs.finished, timeout=15000):
        pass
    assert job.state == JobState.CANCELLED
    assert "cancelled" in panel.progress.format()
    # cancel keeps what was done: only curves marked partial (the ones drawn while it ran), never a whole one
    assert all(layer.metadata.get("partial") for layer in w.doc.layers if isinstance(layer, Curve))
    assert panel.run_button.isEnabled()


def test_plugin_error_shows_message_and_app_keeps_working(make_window, tone_file, qtbot):
    from tests.core.sample_plugins import BROKEN, RMS

    w = make_window(PluginRegistry([BROKEN, RMS]))
    open_file(qtbot, w, tone_file)
    w.plugins.select_plugin("test-broken")
    with qtbot.waitSignal(w.plugins.error_shown, timeout=20000) as err:
        w.plugins.run()
    assert "Broken" in err.args[0] or "test-broken" in err.args[0]
    assert w.plugins.error_box is not None and w.plugins.error_box.isVisible()
    w.plugins.error_box.close()
    w.plugins.select_plugin("test-rms")  # the app still runs plugins afterwards
    with qtbot.waitSignal(w.plugins.layers_ready, timeout=20000):
        w.plugins.run()
    assert any(layer.name == "rms" for layer in w.doc.layers)


def test_run_without_audio_or_selection_explains(make_window, qtbot):
    from tests.core.sample_plugins import RMS

    w = make_window(PluginRegistry([RMS]))
    with qtbot.waitSignal(w.plugins.error_shown, timeout=2000) as err:
        w.plugins.run()
    assert "Open an audio file" in err.args[0]
