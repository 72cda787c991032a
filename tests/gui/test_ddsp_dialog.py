"""'Learn this timbre' dialog: a few training steps with the loss curve, saving, and cancel."""

from __future__ import annotations

import numpy as np
import pytest

import pytestqt  # noqa: F401  -- a test dependency: a missing one is an error, not a skip
import torchfcpe  # noqa: F401


@pytest.fixture(scope="module")
def recording():
    from workbench.core.audio import AudioBuffer

    sr = 16000
    t = np.arange(8 * sr) / sr
    f0 = 330.0 * 2 ** (np.floor(t / 0.5) % 5 * 2 / 12)  # a stepped melody
    phase = 2 * np.pi * np.cumsum(f0) / sr
    y = sum(np.sin(k * phase) / k for k in range(1, 8)) * 0.2
    return AudioBuffer(y.astype(np.float32), sr, name="saw")


def tiny():
    from workbench_plugins.ddsp.model import DDSPConfig

    return DDSPConfig(hidden=16, n_harmonics=8, noise_bands=9, reverb_s=0.05)


def test_training_shows_the_loss_and_saves(qtbot, recording, tmp_path):
    from workbench_plugins.ddsp.dialog import DDSPTrainDialog

    dlg = DDSPTrainDialog(audio=recording, out_dir=tmp_path, model_config=tiny())
    qtbot.addWidget(dlg)
    dlg.steps_spin.setValue(3)
    dlg.name_edit.setText("saw test")
    with qtbot.waitSignal(dlg.training_finished, timeout=180_000) as sig:
        dlg.start()
    assert sig.args == ["done"], dlg.status.text()
    assert dlg.steps_seen == [1, 2, 3] and all(np.isfinite(dlg.losses))
    xs, ys = dlg.curve.getData()
    assert list(xs) == [1, 2, 3]
    assert dlg.saved_path == tmp_path / "ddsp_saw_test.safetensors" and dlg.saved_path.is_file()
    assert dlg.saved_path.with_suffix(".json").is_file()
    assert "held-out loss" in dlg.status.text()


def test_cancel_stops_training_without_saving(qtbot, recording, tmp_path):
    from workbench_plugins.ddsp.dialog import DDSPTrainDialog

    dlg = DDSPTrainDialog(audio=recording, out_dir=tmp_path, model_config=tiny())
    qtbot.addWidget(dlg)
    dlg.steps_spin.setValue(5000)
    dlg.loss_reported.connect(lambda step, loss: dlg.cancel())
    with qtbot.waitSignal(dlg.training_finished, timeout=180_000) as sig:
        dlg.start()
    assert sig.args == ["cancelled"]
    assert len(dlg.losses) < 5000 and not list(tmp_path.glob("*.safetensors"))
    assert dlg.start_button.isEnabled()


def test_start_without_recording_asks_for_one(qtbot):
    from workbench_plugins.ddsp.dialog import DDSPTrainDialog

    dlg = DDSPTrainDialog()
    qtbot.addWidget(dlg)
    assert dlg.start() is None and "Choose a recording" in dlg.status.text()
