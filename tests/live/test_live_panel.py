"""The live panel (pytest-qt, offscreen): the spectrogram scrolls and shows the played tone; recording is emitted."""

from __future__ import annotations

import numpy as np
import pytest

from .conftest import Player, needs_virtual_mic, tone, unload_virtual_sink

import pytestqt  # noqa: F401  -- a test dependency: a missing one is an error, not a skip
pytestmark = needs_virtual_mic


@pytest.fixture
def panel(qtbot, virtual_sink):
    from workbench.gui.live_panel import LivePanel

    w = LivePanel()
    qtbot.addWidget(w)
    w.resize(900, 600)
    w.show()
    yield w
    w.stop()


def test_panel_spectrogram_updates_and_recording_is_emitted(qtbot, panel):
    assert panel.device_combo.count() >= 1
    panel.record_button.setChecked(True)
    assert panel.start()
    assert panel.start_button.text() == "Stop" and not panel.rate_combo.isEnabled()
    qtbot.waitUntil(lambda: panel.view.columns_seen > 10, timeout=8000)  # the drain timer draws columns
    player = Player(tone(1500.0, 1.5, 48000, 0.4), 48000)
    qtbot.waitUntil(lambda: abs(panel.view.peak_frequency(5) - 1500.0) < 48000 / 2048, timeout=5000)
    assert panel.level.value() > -200  # the meter shows the tone (> -20 dBFS)
    shot = panel.view.grab()
    assert not shot.isNull()
    player.wait()
    with qtbot.waitSignal(panel.recording_finished, timeout=5000) as blocker:
        panel.stop()
    buffer = blocker.args[0]
    assert buffer.sample_rate == 48000 and buffer.duration > 1.0
    spec = np.abs(np.fft.rfft(buffer.samples[0]))
    assert abs(np.argmax(spec) * 48000 / buffer.num_samples - 1500.0) < 2.0
    assert panel.start_button.text() == "Start" and panel.rate_combo.isEnabled()
    assert panel.dropout_label.text() == "dropouts: 0"


def test_panel_live_pitch_draws_a_curve(qtbot, panel):
    panel.checks["pitch"].setChecked(True)
    assert panel.start()
    qtbot.waitUntil(lambda: panel.session is not None and "pitch" in panel.session.drivers, timeout=30000)
    qtbot.waitUntil(lambda: panel.view.columns_seen > 10, timeout=8000)
    player = Player(tone(262.0, 2.5, 48000, 0.4, harmonics=6), 48000)
    qtbot.waitUntil(lambda: np.sum(np.abs(panel.view.pitch_f - 262.0) < 5.0) > 30, timeout=15000)
    player.wait()
    assert "pitch" in panel.latency_label.text()


def test_panel_device_removal_shows_message_and_keeps_recording(qtbot, panel):
    panel.record_button.setChecked(True)
    assert panel.start()
    qtbot.waitUntil(lambda: panel.session is not None and panel.session.recorder.duration > 0.5, timeout=8000)
    with qtbot.waitSignal(panel.recording_finished, timeout=10000) as blocker:
        unload_virtual_sink()
    assert blocker.args[0].duration > 0.5
    assert not panel.running
    assert "stopped delivering audio" in panel.status_label.text()
    assert panel.start_button.text() == "Start"  # ready to try again
