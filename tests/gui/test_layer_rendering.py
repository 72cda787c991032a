"""Every layer type gets a renderer: overlays, lanes (one per class / per track), details, and they go away again."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.layers import Events, Match, Matches, Matrix, Segments, Tags, Tracks, Words
from workbench.gui.lanes import EventsLane, MatrixLane, SegmentsLane, TagsLane, TracksLane

from .conftest import open_file


def _layers(duration: float, sr: int):
    frames = np.arange(0, duration, 0.5)
    quiet = AudioBuffer(np.zeros((1, int(duration * sr)), np.float32) + 0.01, sr)
    return [
        Events(name="sed", starts=[0.1, 0.5, 1.2], ends=[0.4, 1.0, 1.8], labels=["Speech", "Music", "Speech"],
               confidences=[0.9, 0.3, 0.8]),
        Segments(name="transcript", starts=[0.0, 1.0], ends=[0.9, 1.9], texts=["hello there", "general"]),
        Words(name="words", starts=[0.0, 0.4], ends=[0.3, 0.8], texts=["hello", "there"]),
        Tags(name="tags", labels=["a", "b", "c"], scores=[0.2, 0.9, 0.5], frame_times=frames,
             frame_scores=np.linspace(0, 1, len(frames) * 3).reshape(len(frames), 3), frame_duration=0.5),
        Matrix(name="salience", times=np.arange(0, duration, 0.1), bins=np.arange(12),
               values=np.ones((len(np.arange(0, duration, 0.1)), 12))),
        Tracks(name="stems", tracks={"vocals": quiet, "drums": quiet}),
        Matches(name="covers", matches=[Match(item="x.wav", score=0.8, title="X"), Match(item="y.wav", score=0.4)]),
    ]


def test_all_layer_types_render_and_remove(make_window, tone_file, qtbot):
    w = make_window()
    open_file(qtbot, w, tone_file)
    layers = _layers(w.doc.audio.duration, w.doc.audio.sample_rate)
    w.doc.add_layers(layers)
    ev, seg, words, tags, mat, tracks, matches = layers
    v = w.layer_views
    assert isinstance(v.view(ev), EventsLane)
    ticks = v.view(ev).lane.plot.getAxis("left")._tickLevels[0]
    assert [t[1] for t in ticks] == ["Music", "Speech"]  # one row per class
    assert isinstance(v.view(seg), SegmentsLane) and isinstance(v.view(words), SegmentsLane)
    texts = [it.textItem.toPlainText() for it in v.view(words).items if isinstance(it, pg.TextItem)]
    assert texts == ["hello", "there"]
    assert isinstance(v.view(tags), TagsLane) and v.view(tags).image.image.shape == (3, len(tags.frame_times))
    assert isinstance(v.view(mat), MatrixLane) and v.view(mat).image.image.shape == (12, len(mat.times))
    tv = v.view(tracks)
    assert isinstance(tv, TracksLane) and len(tv.lanes) == 2
    assert v.view(matches) is None
    assert w.transport.source.count() == 3  # original + two stems for A/B
    tv.mute_buttons["vocals"].click()
    assert w.playback.player.sources["stems: vocals"].muted
    tv.solo_buttons["drums"].click()
    assert w.playback.player.sources["stems: drums"].solo
    assert len(w.lanes.views) == 6
    w.layers.list.setCurrentRow(w.doc.layers.index(matches))
    assert w.details.stack.currentWidget() is w.details.matches and w.details.matches.count() == 2
    w.layers.list.setCurrentRow(w.doc.layers.index(tags))
    assert w.details.stack.currentWidget() is w.details.bars
    w.doc.set_visible(ev, False)
    assert v.view(ev).lane.isHidden()
    for layer in list(layers):
        w.doc.remove_layer(layer)
    assert not w.lanes.views and w.transport.source.count() == 1
    w.doc.undo_stack.undo()  # matches come back; nothing breaks
    assert matches in w.doc.layers


def test_hover_reports_time_frequency_and_level(make_window, tone_file, qtbot):
    from .conftest import wait_image

    w = make_window()
    open_file(qtbot, w, tone_file)
    wait_image(qtbot, w)
    scene = w.pane.vb.mapViewToScene(pg.Point(1.0, float(w.pane.freq_axis.to_position(1000.0))))
    w.pane.plot.scene().sigMouseMoved.emit(scene)
    assert "0:01.0" in w.status_time.text()
    assert "dB" in w.status_freq.text()
    hz = float(w.status_freq.text().split()[1].rstrip("k")) * (1000 if "k" in w.status_freq.text().split()[1] else 1)
    assert hz == pytest.approx(1000, rel=0.03)
