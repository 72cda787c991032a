"""The live view as a user sees it: the file view's frequency scales, an autoscaled waveform, a lane of words
and events (fed with synthetic columns, no microphone needed)."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.layers import Events, Words
from workbench.gui.live_view import LiveView

SR = 48000


def _fed_view(qtbot, amp=0.05):
    v = LiveView()
    qtbot.addWidget(v)
    f = np.fft.rfftfreq(2048, 1 / SR)
    v.reset(SR, f, 512, 2048, "stft")
    n = int(6 * SR / 512)
    cols = np.full((n, len(f)), -90, np.float32)
    cols[:, np.argmin(np.abs(f - 220.0))] = -10
    v.add_columns(cols, 0)
    t = np.arange(6 * SR) / SR
    v.add_samples((amp * np.sin(2 * np.pi * 220 * t)).astype(np.float32), 0.0)
    v.add_pitch(np.arange(0, 6, 0.01), np.full(600, 220.0), None)
    return v


def test_log_scale_puts_a_voice_f0_mid_axis_and_scales_match_the_file_view(qtbot):
    v = _fed_view(qtbot)
    assert v.scale == "log"
    v.redraw()
    _, y = v.pitch_item.getData()
    frac = np.nanmedian(y) / v.freq_axis.n_rows
    assert 0.25 < frac < 0.6  # 220 Hz on a 30 Hz - 24 kHz log axis; on linear 0-5 kHz it was at 4 %
    for scale in ("linear", "mel", "note"):
        v.set_scale(scale)
        v.redraw()
        _, y = v.pitch_item.getData()
        assert np.nanmedian(y) == pytest.approx(v.freq_axis.to_position(220.0))
        row = int(round(v.freq_axis.to_position(220.0)))
        img = v.image.image
        assert img[max(0, row - 2):row + 3].max() > -20  # the tone's row is bright on every scale
    assert v.freq_item.note_labels
    with pytest.raises(ValueError):
        v.set_scale("bark")


def test_waveform_autoscales_and_words_and_events_land_on_the_lane(qtbot):
    v = _fed_view(qtbot, amp=0.05)
    v.redraw()
    lo, hi = v.wave_plot.viewRange()[1]
    assert 0.05 <= hi < 0.1 and lo == pytest.approx(-hi)
    v.add_events(Events(name="sed", starts=[1.0], ends=[2.5], labels=["Speech"], confidences=[0.9]))
    v.add_words(Words(name="w", starts=[3.0, 3.6], ends=[3.5, 4.2], texts=["hello", "there"]))
    v.redraw()
    texts = [g.textItem.toPlainText() for g in v._lane_graphics if hasattr(g, "textItem")]
    assert texts == ["Speech", "hello", "there"]
