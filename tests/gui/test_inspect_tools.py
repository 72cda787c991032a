"""Inspect and measure in the window: the view never moves when layers arrive, the project keeps the view, the
spectrum dock, the measure box and harmonic cursor, band-limited playback, scrubbing, any track as a source."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QGuiApplication

from workbench.core.audio import AudioBuffer
from workbench.core.layers import Curve, Events, Matrix, Segments, Tags, Tracks, Words
from workbench.core.registry import PluginRegistry, default_registry
from workbench.core.spectrum import mean_spectrum
from workbench.gui.measure_tool import TimeFrequencyBox

from .conftest import open_file, wait_image, write_tone

SR = 16000


def _tone(freq, seconds=3.0, amp=0.4, sr=SR):
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def _view(w):
    (x0, x1), (y0, y1) = w.pane.vb.viewRange()
    return np.array([x0, x1, y0, y1])


def _zoomed(qtbot, w):
    wait_image(qtbot, w)
    w.pane.set_time_range(1.0, 2.0)
    w.pane.zoom_freq(2.0)
    return _view(w)


def test_new_layers_never_move_the_view(make_window, tmp_path, qtbot):
    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=4.0, sr=SR))
    before = _zoomed(qtbot, w)
    quiet = AudioBuffer(np.full((1, SR), 0.01, np.float32), SR)
    w.doc.add_layers([  # all of them far from the view (the events in the first 0.6 s used to zoom to there)
        Events(name="sed", starts=[0.1, 0.3], ends=[0.2, 0.6], labels=["Speech", "Dog"], confidences=[0.9, 0.4]),
        Segments(name="asr", starts=[0.0], ends=[0.5], texts=["hello"]),
        Words(name="words", starts=[0.0], ends=[0.3], texts=["hi"]),
        Tags(name="tags", labels=["a"], scores=[0.5], frame_times=np.array([0.0, 0.5]),
             frame_scores=np.array([[0.1], [0.9]]), frame_duration=0.5),
        Matrix(name="m", times=np.arange(0, 0.5, 0.1), bins=np.arange(3), values=np.ones((5, 3))),
        Curve(name="loudness", times=np.array([0.0, 0.2]), values=np.array([1.0, 2.0]), unit="dB"),
        Curve(name="f0", times=np.array([0.0, 0.2]), values=np.array([100.0, 200.0]), unit="Hz"),
        Tracks(name="stem", tracks={"stem": quiet}),
    ])
    qtbot.wait(200)
    assert np.allclose(_view(w), before, atol=1e-6), "adding layers moved the view"


def test_running_sed_leaves_the_view_range_unchanged(make_window, tmp_path, qtbot):
    reg = default_registry()
    if "sed" not in reg:
        pytest.fail("the sed plugin is not registered")
    w = make_window(PluginRegistry([reg.get("sed")]))
    rng = np.random.default_rng(0)
    x = _tone(440.0, seconds=6.0)
    x[int(0.2 * SR):int(1.2 * SR)] += (0.3 * rng.standard_normal(SR)).astype(np.float32)
    import soundfile as sf

    sf.write(str(tmp_path / "sed.wav"), x, SR)
    open_file(qtbot, w, tmp_path / "sed.wav")
    w.pane.set_time_range(3.0, 5.0)
    before = _view(w)
    w.plugins.select_plugin("sed")
    with qtbot.waitSignal(w.plugins.layers_ready, timeout=120000) as got:
        w.plugins.run()
    assert any(isinstance(layer, Events) for layer in got.args[0])
    qtbot.wait(200)
    assert np.allclose(_view(w), before, atol=1e-6), "running SED moved the view"


def _two_tracks(w, offset=0.0):
    stem = Tracks(name="stems", offset=offset, tracks={"vocals": AudioBuffer(_tone(660.0, 2.0), SR),
                                                      "other": AudioBuffer(_tone(220.0, 2.0), SR)})
    w.doc.add_layers([stem])
    return stem


def test_project_keeps_zoom_scroll_and_view_settings(make_window, tmp_path, qtbot):
    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=4.0, sr=SR))
    _two_tracks(w)
    w.view_controls.set_kind("cqt")
    wait_image(qtbot, w, "cqt")
    w.inspect.note_action.setChecked(True)
    w.inspect.show_source("stems: vocals")
    view = _zoomed(qtbot, w)
    assert w.files.save_project_to(tmp_path / "p.awproj")

    w2 = make_window()
    with qtbot.waitSignal(w2.file_opened, timeout=20000):
        w2.files.open_project(str(tmp_path / "p.awproj"))
    assert w2.pane.settings.kind == "cqt"
    assert w2.pane.source_name == "stems: vocals" and w2.inspect.show_combo.currentText() == "stems: vocals"
    assert w2.pane.freq_item.note_labels
    assert np.allclose(_view(w2), view, atol=1e-3)


def test_spectrum_dock_peaks_at_440_hz_and_overlays_b(make_window, tmp_path, qtbot):
    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=3.0, sr=SR))
    _two_tracks(w)
    dock = w.inspect.spectrum
    w.inspect.spectrum_dock.show()
    dock.set_sources("Original", "stems: vocals")
    w.playback.seek(1.0)
    qtbot.waitUntil(lambda: dock.is_up_to_date() and "B" in dock.results, timeout=20000)
    _, spec_a, peak_a = dock.results["A"]
    _, _, peak_b = dock.results["B"]
    assert peak_a.hz == pytest.approx(440.0, abs=1.0) and peak_a.note == "A4"
    assert peak_b.hz == pytest.approx(660.0, abs=1.0)
    x, y = dock.curves["A"].getData()
    assert len(x) > 100 and np.isfinite(y).all()
    assert "440" in dock.readout_text() or "439.9" in dock.readout_text()
    dock.set_mode("selection")
    w.pane.set_selection(0.5, 2.5)
    qtbot.waitUntil(lambda: dock.is_up_to_date() and dock.results["A"][1].frames > 1, timeout=20000)
    assert dock.results["A"][2].hz == pytest.approx(440.0, abs=1.0)
    dock.set_axis("note")
    assert dock.freq_axis.tickStrings([69.0], 1, 1) == ["A4"]


def test_measure_box_readout_and_copy(make_window, tmp_path, qtbot):
    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=3.0, sr=SR))
    wait_image(qtbot, w)
    fa = w.pane.freq_axis
    w.inspect.box_action.trigger()  # M: box mode
    assert w.pane.vb.box_mode
    w.pane.vb.box_drag.emit(0.5, fa.to_position(220.0), 1.75, fa.to_position(440.0), True)
    box = w.inspect.measure.box
    assert box.duration == pytest.approx(1.25) and box.f_lo == pytest.approx(220.0, rel=1e-6)
    text = w.inspect.copy_readout()
    assert "Δt 1.250 s" in text and "f1 220.0 Hz" in text and "f2 440.0 Hz" in text
    assert "12 st +0 c (octave)" in text
    assert QGuiApplication.clipboard().text() == text
    assert w.pane.selection() == pytest.approx((0.5, 1.75))  # the box's span is the time selection


def test_harmonic_cursor_and_note_axis(make_window, tmp_path, qtbot):
    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=200.0, seconds=2.0, sr=SR))
    wait_image(qtbot, w)
    hc = w.inspect.harmonics
    w.inspect.harmonic_action.setChecked(True)
    w.inspect.count.setValue(5)
    w.pane.hover.emit(1.0, 200.0, -10.0)
    assert hc.harmonics() == pytest.approx([200.0, 400.0, 600.0, 800.0, 1000.0])
    _, y = hc.lines.getData()
    assert np.allclose(y[::2], w.pane.freq_axis.to_position(np.array(hc.harmonics())))
    w.inspect.note_action.setChecked(True)
    axis = w.pane.freq_item
    ticks = axis.tickValues(-0.5, w.pane.freq_axis.n_rows - 0.5, 400)[0][1]
    labels = axis.tickStrings(ticks, 1, 1)
    assert labels and all(lab[0] in "CDEFGAB" for lab in labels)


def test_band_limited_playback_of_a_box_holds_no_300_hz(make_window, tmp_path, qtbot):
    import soundfile as sf

    w = make_window()
    sf.write(str(tmp_path / "mix.wav"), _tone(300.0, 3.0) + _tone(1500.0, 3.0), SR)
    open_file(qtbot, w, tmp_path / "mix.wav")
    w.inspect.measure.set_box(TimeFrequencyBox(0.5, 2.5, 1000.0, 2000.0))
    w.inspect.band_action.setChecked(True)
    player = w.playback.player
    assert player.band_filter is not None and player.band_filter.band == (1000.0, 2000.0)
    player.set_loop(0.5, 2.5)
    player.seek(0.5)
    out = np.concatenate([player.pull(512) for _ in range(int(2.0 * SR / 512))])  # what the sound card gets
    heard = mean_spectrum(AudioBuffer(out.T, SR), 0.3, 1.9)
    ref = mean_spectrum(AudioBuffer((_tone(300.0, 3.0) + _tone(1500.0, 3.0))[None], SR), 0.3, 1.9)
    level = lambda s, hz: s.db[np.argmin(np.abs(s.freqs - hz))]  # noqa: E731
    assert level(heard, 300.0) - level(ref, 300.0) < -50.0
    assert abs(level(heard, 1500.0) - level(ref, 1500.0)) < 1.5
    w.inspect.band_action.setChecked(False)
    assert player.band_filter is None


def test_scrub_plays_a_short_grain(tmp_path):
    from workbench.gui.player import Player

    # no real output: the grain logic is in pull(), and a device's callback would pull the grain before the test
    p = Player(SR, channels=1, device="no such output device")
    p.add_source("x", np.ones((1, 2 * SR), np.float32) * 0.5)
    p.scrub(1.0, grain=0.05)
    out = np.concatenate([p.pull(256) for _ in range(10)])[:, 0]
    n = int(0.05 * SR)
    assert np.all(out[:n - 256] > 0.1) and not np.any(out[n + 1:])
    p.end_scrub()
    p.close()


def test_plugin_on_a_stem_lands_on_the_document_clock(make_window, tmp_path, qtbot):
    reg = default_registry()
    if "pitch" not in reg:
        pytest.fail("the pitch plugin is not registered")
    w = make_window(PluginRegistry([reg.get("pitch")]))
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=4.0, sr=SR))
    _two_tracks(w, offset=1.5)  # the stem starts 1.5 s into the document
    w.plugins.select_plugin("pitch")
    w.inspect.plugin_input.set_input("stems: vocals")
    with qtbot.waitSignal(w.plugins.layers_ready, timeout=120000) as got:
        w.plugins.run()
    curve = next(layer for layer in got.args[0] if isinstance(layer, Curve))
    voiced = curve.values[(curve.values > 0) & (curve.voiced if curve.voiced is not None else True)]
    assert np.median(voiced) == pytest.approx(660.0, rel=0.03)  # the stem's tone, not the document's 440 Hz
    assert curve.times[0] >= 1.49 and curve.times[-1] <= 3.6  # on the document clock


def test_pane_shows_a_track_without_moving_the_view(make_window, tmp_path, qtbot):
    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=3.0, sr=SR))
    _two_tracks(w)
    before = _zoomed(qtbot, w)
    w.inspect.show_combo.setCurrentText("stems: vocals")
    qtbot.waitUntil(lambda: w.pane.is_up_to_date() and w.pane.source_name == "stems: vocals", timeout=20000)
    fa, t = w.pane.freq_axis, 1.5
    assert w.pane.level_at(t, fa.to_position(660.0)) > w.pane.level_at(t, fa.to_position(440.0)) + 30
    assert np.allclose(_view(w), before, atol=1e-6)
    w.inspect.follow_ab.setChecked(True)
    w.transport.source.setCurrentText("Original")
    assert w.pane.source_name == "Original"


def test_export_image_png_and_svg_at_a_chosen_size(make_window, tmp_path, qtbot):
    from PySide6.QtGui import QImage

    from workbench.core.errors import WorkbenchError
    from workbench.gui.export_image import export_widget_image

    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=2.0, sr=SR))
    w.doc.add_layers([Events(name="sed", starts=[0.2], ends=[0.9], labels=["Speech"], confidences=[0.9])])
    wait_image(qtbot, w)
    png = export_widget_image(w.centralWidget(), tmp_path / "view.png", 1600, 900)
    img = QImage(str(png))
    assert (img.width(), img.height()) == (1600, 900)
    colours = {img.pixelColor(x, y).name() for x in range(0, 1600, 37) for y in range(0, 900, 29)}
    assert len(colours) > 20  # the spectrogram and lanes are in it, not a blank fill
    svg = export_widget_image(w.centralWidget(), tmp_path / "view.svg", 800, 450)
    text = svg.read_text(encoding="utf-8")
    assert "<svg" in text and 'width="800' in text.replace("px", "")
    assert "File > Export image" not in text
    assert any(a.text().startswith("Export &image") for a in w.menu("File").actions())
    with pytest.raises(WorkbenchError):
        export_widget_image(w.centralWidget(), tmp_path / "view.bmp", 100, 100)


def test_help_examples_lists_bundled_examples_that_open(make_window, qtbot):
    from workbench.gui.examples_menu import examples

    found = examples()
    assert {e["file"].name for e in found} >= {"speech.ogg", "song.ogg", "soundscape.ogg", "violin.ogg"}
    w = make_window()
    titles = [a.text() for a in w.examples_menu.actions()]
    assert titles == [e["title"] for e in found]
    with qtbot.waitSignal(w.file_opened, timeout=20000):
        w.examples_menu.actions()[0].trigger()
    assert w.doc.audio is not None and 3.0 < w.doc.audio.duration < 30.0


def test_first_start_without_a_file_opens_an_example_once(make_window, qtbot):
    from workbench.gui.examples_menu import open_first_run_example

    w = make_window()
    with qtbot.waitSignal(w.file_opened, timeout=20000):
        assert open_first_run_example(w)
    assert w.doc.audio is not None and w.first_run_hint.isVisible()
    w.first_run_hint.close()
    w.store.add_recent("/somewhere/own.wav")  # once the user has opened a file of their own: no example
    assert not open_first_run_example(w)


def test_half_speed_keeps_pitch_and_ab_and_loop_keep_working(make_window, tmp_path, qtbot):
    from workbench.core.spectrum import find_peak

    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=4.0, sr=SR))
    _two_tracks(w)
    w.inspect.slower_action.trigger()  # [ : 1x -> 0.75x
    w.inspect.slower_action.trigger()  # 0.5x
    player = w.playback.player
    assert player.speed == 0.5 and w.transport.speed.currentData() == 0.5
    player.seek(0.5)
    out = np.concatenate([player.pull(512) for _ in range(int(2.0 * SR / 512))])
    advanced = player.position - 0.5
    assert 0.9 < advanced < 1.4  # 2 s heard at half speed is ~1 s of the file (plus the stretcher's latency)
    assert find_peak(mean_spectrum(AudioBuffer(out.T, SR), 0.5, 1.9)).hz == pytest.approx(440.0, abs=6.0)
    w.transport.source.setCurrentText("stems: vocals")  # A/B at half speed
    out = np.concatenate([player.pull(512) for _ in range(30)])
    assert find_peak(mean_spectrum(AudioBuffer(out.T, SR), 0.4, 0.9)).hz == pytest.approx(660.0, abs=8.0)
    player.set_loop(1.0, 1.5)
    player.seek(1.0)
    for _ in range(100):
        player.pull(512)
        assert 1.0 <= player.position <= 1.5


def test_second_pane_shows_a_stem_zoom_linked(make_window, tmp_path, qtbot):
    w = make_window()
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=3.0, sr=SR))
    _two_tracks(w)
    wait_image(qtbot, w)
    w.inspect.compare_action.trigger()  # Ctrl+2
    pane = w.inspect.compare_pane
    assert pane is not None and pane.source_name == "stems: vocals"
    qtbot.waitUntil(pane.is_up_to_date, timeout=20000)
    fa = pane.freq_axis
    assert pane.level_at(1.5, fa.to_position(660.0)) > pane.level_at(1.5, fa.to_position(440.0)) + 30
    w.pane.set_time_range(1.0, 2.0)
    assert pane.time_range() == pytest.approx((1.0, 2.0))  # zoom-linked
    w.inspect.compare_action.trigger()
    assert w.inspect.compare_pane is None


def test_plugin_run_on_the_box_gets_its_band_and_span(make_window, tmp_path, qtbot):
    import soundfile as sf

    reg = default_registry()
    if "pitch" not in reg:
        pytest.fail("the pitch plugin is not registered")
    w = make_window(PluginRegistry([reg.get("pitch")]))
    sf.write(str(tmp_path / "mix.wav"), _tone(330.0, 4.0, amp=0.15) + _tone(880.0, 4.0, amp=0.5), SR)
    open_file(qtbot, w, tmp_path / "mix.wav")
    w.inspect.measure.set_box(TimeFrequencyBox(1.0, 2.5, 250.0, 450.0))
    w.inspect.plugin_input.use_box.setChecked(True)
    w.plugins.select_plugin("pitch")
    with qtbot.waitSignal(w.plugins.layers_ready, timeout=120000) as got:
        w.plugins.run()
    curve = next(layer for layer in got.args[0] if isinstance(layer, Curve))
    voiced = curve.values[(curve.values > 0) & (curve.voiced if curve.voiced is not None else True)]
    assert np.median(voiced) == pytest.approx(330.0, rel=0.03)  # the box's band, not the louder 880 Hz tone
    assert curve.times[0] >= 0.99 and curve.times[-1] <= 2.51  # the box's span, on the document clock
    assert any(line.startswith("M:") for line in w.help_lines())  # the new keys are in the keyboard help


def test_asr_on_a_speech_stem_gives_words_on_the_document_clock(make_window, tmp_path, qtbot):
    import shutil
    import subprocess

    import soundfile as sf

    reg = default_registry()
    if "asr" not in reg:
        pytest.fail("the asr plugin is not registered")
    if not shutil.which("espeak-ng"):
        pytest.fail("espeak-ng is needed to make the test speech")
    subprocess.run(["espeak-ng", "-w", str(tmp_path / "s.wav"), "Hello world, this is a test."], check=True,
                   capture_output=True, timeout=60)
    speech, sr = sf.read(str(tmp_path / "s.wav"), dtype="float32")
    w = make_window(PluginRegistry([reg.get("asr")]))
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=440.0, seconds=len(speech) / sr + 4.0, sr=SR))
    w.doc.add_layers([Tracks(name="speech", offset=2.0, tracks={"speech": AudioBuffer(speech, sr)})])
    w.plugins.select_plugin("asr")
    w.inspect.plugin_input.set_input("speech")
    with qtbot.waitSignal(w.plugins.layers_ready, timeout=180000) as got:
        w.plugins.run()
    words = next(layer for layer in got.args[0] if isinstance(layer, Words))
    text = " ".join(words.texts).lower()
    assert "hello" in text and "test" in text
    assert words.starts[0] >= 2.0 and words.ends[-1] <= 2.0 + len(speech) / sr + 0.3  # on the document clock
