"""Opening files, STFT/mel/CQT switching, a tone at the right frequency on every scale, overlays, navigation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QImage

from workbench.core.layers import Curve, Notes

from .conftest import open_file, wait_image

KINDS = ("stft", "mel", "cqt")


def brightest_row_hz(pane) -> float:
    """Frequency of the brightest row of the image data, mapped through the item rect and FrequencyAxis."""
    data = pane.image.image
    row = int(np.argmax(np.nanmean(data, axis=1)))
    rect = pane.image.mapRectToParent(pane.image.boundingRect())
    pos = rect.top() + (row + 0.5) * rect.height() / data.shape[0]
    return float(pane.freq_axis.from_position(pos))


def brightest_pixel_hz(pane) -> float:
    """Frequency of the brightest screen row inside the plot area (what the user sees)."""
    pane.playhead.hide()
    img: QImage = pane.plot.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    pane.playhead.show()
    rect = pane.plot.mapFromScene(pane.vb.sceneBoundingRect()).boundingRect()
    ptr = img.constBits()
    arr = np.frombuffer(ptr, np.uint8, count=img.sizeInBytes()).reshape(img.height(), img.bytesPerLine() // 4, 4)
    x0, x1 = rect.left() + rect.width() // 4, rect.right() - rect.width() // 4
    y0, y1 = max(rect.top() + 1, 0), min(rect.bottom() - 1, img.height() - 1)
    band = arr[y0:y1, x0:x1, :3].astype(float).sum(axis=2).mean(axis=1)
    y = y0 + int(np.argmax(band))
    view = pane.vb.mapSceneToView(pane.plot.mapToScene(QPoint(int(x0), y)))
    return float(pane.freq_axis.from_position(view.y()))


def test_drop_opens_file(make_window, tone_file, qtbot):
    w = make_window()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(tone_file)])
    enter = QDragEnterEvent(QPoint(300, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    w.dragEnterEvent(enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(300, 300), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(w.file_opened, timeout=20000):
        w.dropEvent(drop)
    assert w.doc.audio is not None and w.doc.audio.sample_rate == 22050
    assert "tone1k" in w.windowTitle()
    assert w.store.recent_files()[0].endswith("tone1k.wav")
    wait_image(qtbot, w)


def test_drop_of_bad_file_shows_error_and_keeps_running(make_window, tmp_path, qtbot):
    w = make_window()
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00garbage")
    with qtbot.waitSignal(w.file_error, timeout=20000) as err:
        w.files.open_paths([str(bad)])
    assert w.doc.audio is None
    assert "broken.wav" in err.args[0] and "broken.wav" in w.files.last_error


def test_switching_kind_changes_image_and_tone_is_at_1khz(make_window, tone_file, qtbot):
    w = make_window()
    open_file(qtbot, w, tone_file)
    images = {}
    for kind in KINDS:
        w.view_controls.set_kind(kind)
        img = wait_image(qtbot, w, kind)
        images[kind] = (img.db.shape, w.pane.image.image.copy())
        assert w.pane.freq_axis.n_rows > 0
        hz_data = brightest_row_hz(w.pane)
        assert abs(hz_data - 1000) / 1000 < 0.05, (kind, hz_data)
        hz_pixels = brightest_pixel_hz(w.pane)
        assert abs(hz_pixels - 1000) / 1000 < 0.06, (kind, hz_pixels)
    shapes = {k: v[0] for k, v in images.items()}
    assert len({s[0] for s in shapes.values()}) == 3, shapes  # different frequency rows per kind
    assert not np.array_equal(images["stft"][1][:10], images["cqt"][1][:10])


def test_curve_and_notes_overlay_the_tone(make_window, tone_file, qtbot):
    w = make_window()
    open_file(qtbot, w, tone_file)
    times = np.arange(0, 2.0, 0.01)
    f0 = Curve(name="f0", unit="Hz", times=times, values=np.full(len(times), 1000.0),
               voiced=times > 0.2)
    note = Notes(name="notes", onsets=[0.5], offsets=[1.5], pitches=[69 + 12 * np.log2(1000 / 440)])
    w.doc.add_layers([f0, note])
    for kind in KINDS:
        w.view_controls.set_kind(kind)
        wait_image(qtbot, w, kind)
        curve_view = w.layer_views.view(f0)
        x, y = curve_view.line.getData()
        bright = w.pane.freq_axis.to_position(brightest_row_hz(w.pane))
        voiced_y = y[np.isfinite(y)]
        assert len(voiced_y) == int((times > 0.2).sum())
        assert np.all(np.isnan(y[times <= 0.2]))
        assert np.allclose(voiced_y, w.pane.freq_axis.to_position(1000.0))
        assert abs(float(np.median(voiced_y)) - bright) <= max(1.5, 0.01 * w.pane.freq_axis.n_rows), kind
        lo, hi = w.layer_views.view(note).box_positions()
        assert lo[0] <= w.pane.freq_axis.to_position(1000.0) <= hi[0]


def test_layer_hide_recolour_remove_and_undo(make_window, tone_file, qtbot):
    from PySide6.QtGui import QColor

    w = make_window()
    open_file(qtbot, w, tone_file)
    f0 = Curve(name="f0", unit="Hz", times=[0.0, 1.0], values=[500.0, 600.0])
    w.doc.add_layers([f0])
    view = w.layer_views.view(f0)
    w.doc.set_visible(f0, False)
    assert not view.line.isVisible()
    w.doc.set_color(f0, QColor("#ff0000"))
    assert view.line.opts["pen"].color().name() == "#ff0000"
    w.doc.remove_layer(f0)
    assert f0 not in w.doc.layers and w.layers.list.count() == 0
    w.doc.undo_stack.undo()  # back comes the layer, still hidden and red
    assert f0 in w.doc.layers and w.layers.list.count() == 1
    view = w.layer_views.view(f0)
    assert not view.line.isVisible()
    w.doc.undo_stack.undo()
    w.doc.undo_stack.undo()
    assert view.line.isVisible()


def test_zoom_and_scroll_with_keys_and_selection(make_window, tmp_path, qtbot):
    from .conftest import write_tone

    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "long.wav", seconds=20.0, sr=8000))
    wait_image(qtbot, w)
    t0, t1 = w.pane.time_range()
    assert t1 - t0 == pytest.approx(20.0, rel=1e-3)
    w.pane.plot.setFocus()
    qtbot.keyClick(w.pane.plot, Qt.Key.Key_Plus)
    a0, a1 = w.pane.time_range()
    assert a1 - a0 == pytest.approx(20.0 / 1.5, rel=1e-3)
    qtbot.keyClick(w.pane.plot, Qt.Key.Key_Right)
    b0, b1 = w.pane.time_range()
    assert b0 > a0 and b1 - b0 == pytest.approx(a1 - a0, rel=1e-3)
    w.pane.set_selection(5.0, 7.0)
    qtbot.keyClick(w.pane.plot, Qt.Key.Key_Z)
    assert w.pane.time_range() == pytest.approx((5.0, 7.0), abs=1e-3)
    img = wait_image(qtbot, w)
    assert img.t0 == pytest.approx(5.0, abs=0.01) and img.t1 == pytest.approx(7.0, abs=0.01)
    o0, o1 = w.overview.visible.getRegion()
    assert (o0, o1) == pytest.approx((5.0, 7.0), abs=1e-3)
    w.overview.navigate.emit(10.0, 12.0)
    assert w.pane.time_range() == pytest.approx((10.0, 12.0), abs=1e-3)


def test_settings_are_remembered(make_window, tone_file, qtbot, store):
    w = make_window()
    open_file(qtbot, w, tone_file)
    w.view_controls.set_kind("cqt")
    w.close()
    w2 = make_window()
    assert w2.view_controls.settings.kind == "cqt"
    assert store.recent_files()[0].endswith("tone1k.wav")


def test_a_long_file_is_drawn_while_it_decodes_and_the_view_is_kept(make_window, tmp_path, qtbot):
    """The decoder's previews carry the array being filled: the pane draws the decoded part before the file is
    open (the document has no audio yet), and the window keeps that provider when the decode ends."""
    from workbench.core.audio import AudioBuffer
    from workbench.core.audio_stream import PREVIEW_BINS, DecodePreview

    sr, seconds = 8000, 600
    rng = np.random.default_rng(2)
    x = (0.05 * rng.standard_normal((1, sr * seconds))).astype(np.float32)
    samples = np.zeros_like(x)
    half = x.shape[1] // 2
    samples[:, :half] = x[:, :half]
    shared = samples.view()
    shared.setflags(write=False)
    w = make_window()
    path = tmp_path / "long.wav"
    w.show_decode_preview(DecodePreview(path, sr, 1, x.shape[1], half, np.zeros((2, PREVIEW_BINS), np.float32),
                                        shared))
    qtbot.waitUntil(lambda: w.pane.current_image is not None and not w.pane.bridge._busy
                    and w.pane.shown_request is w.pane.bridge.latest, timeout=20000)  # the render's last image
    assert w.doc.audio is None  # plugins never see half a file
    img = w.pane.current_image
    assert not img.complete
    shown = img.db[:, img.times < seconds / 2 - 5].max(axis=0)
    undecoded = img.db[:, img.times > seconds / 2 + 5].max(axis=0)
    assert shown.min() > -60 and undecoded.max() <= -99
    assert w.pane.image.levels[1] > -90  # the undecoded floor is drawn dark, not at the top of the colour map

    samples[:, half:] = x[:, half:]
    samples.setflags(write=False)
    provider = w.decoding.active.provider
    w.show_audio(AudioBuffer.adopt(samples, sr, source=path))
    assert w.provider is provider and provider.decoding_frontier() is None
    img = wait_image(qtbot, w)
    assert img.complete and img.db.max(axis=0).min() > -60  # the whole file now


def test_an_image_of_only_the_floor_is_drawn_dark(make_window, qtbot):
    """Before any decoded audio reaches the view, its image is all floor: it must not become the scale's top."""
    from workbench.core.audio_stream import PREVIEW_BINS, DecodePreview

    w = make_window()
    samples = np.zeros((1, 8000 * 600), np.float32)
    samples.setflags(write=False)
    w.show_decode_preview(DecodePreview(Path("quiet.wav"), 8000, 1, samples.shape[1], 100,
                                        np.zeros((2, PREVIEW_BINS), np.float32), samples))
    qtbot.waitUntil(lambda: w.pane.current_image is not None, timeout=20000)
    lo, hi = w.pane.image.levels
    assert hi > -90 and lo <= -100  # the floor maps to the bottom of the colour map


def test_a_file_that_fails_while_decoding_leaves_the_previous_document_shown(make_window, tone_file, qtbot):
    from workbench.core.audio_stream import PREVIEW_BINS, DecodePreview

    w = make_window()
    open_file(qtbot, w, tone_file)
    wait_image(qtbot, w)
    before = w.doc.audio
    part = np.zeros((1, 22050 * 30), np.float32)
    part[0, :22050] = 0.3
    part.setflags(write=False)
    w.show_decode_preview(DecodePreview(Path(tone_file), 22050, 1, part.shape[1], 22050,
                                        np.zeros((2, PREVIEW_BINS), np.float32), part))
    assert w.pane.audio is not before
    w.decoding.abandon()
    assert w.pane.audio is before and w.doc.audio is before
    wait_image(qtbot, w)
