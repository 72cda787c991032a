"""Beats, key and chords plugins on short fluidsynth renders (chords + bass + drums) with exact truth."""

from __future__ import annotations

import json

import mir_eval
import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.errors import JobCancelled, WorkbenchError
from workbench.core.export import export_layer, write_jams
from workbench.core.plugin_api import JobContext, run_process
from workbench.core.registry import default_registry

from .song_synth import Song, draw_song, render_song

SR = 22050


def _beat_f(ref, est) -> float:
    trim = lambda b: mir_eval.beat.trim_beats(np.asarray(b), min_beat_time=1.0)  # noqa: E731
    return mir_eval.beat.f_measure(trim(ref), trim(est))


def _params(plugin_id: str, **kw) -> dict:
    manifest = default_registry().get(plugin_id)
    out = {p.name: p.default for p in manifest.params}
    out.update(kw)
    return out


def _run(plugin_id: str, audio: AudioBuffer, ctx: JobContext | None = None, **kw):
    return run_process(default_registry().get(plugin_id), audio, _params(plugin_id, **kw), ctx or JobContext())


@pytest.fixture(scope="module")
def song() -> tuple[Song, AudioBuffer]:
    """8 bars of A minor in 4/4 at 112 BPM (about 18 s), chords played on each beat."""
    rng = np.random.default_rng(7)
    s = draw_song(rng, bars=8, tempo=112.0, meter=4, tonic=9, mode="minor", pattern="stabs")
    y, sr = render_song(s, rng, SR)
    return s, AudioBuffer(y[None], sr)


@pytest.fixture(scope="module")
def waltz() -> tuple[Song, AudioBuffer]:
    """8 bars of E-flat major in 3/4 at 138 BPM."""
    rng = np.random.default_rng(11)
    s = draw_song(rng, bars=8, tempo=138.0, meter=3, tonic=3, mode="major")
    y, sr = render_song(s, rng, SR)
    return s, AudioBuffer(y[None], sr)


def test_beats_tempo_meter_and_downbeats(song):
    truth, audio = song
    beats, tempo = _run("beats", audio)
    assert beats.kind == "events" and tempo.kind == "curve" and tempo.unit == "BPM"
    assert _beat_f(truth.beats, beats.starts) > 0.95
    assert abs(beats.metadata["bpm"] / truth.tempo - 1) < 0.04
    assert beats.metadata["meter"] == "4/4"
    downbeats = beats.starts[np.array(beats.labels) == "1"]
    assert _beat_f(truth.downbeats, downbeats) > 0.9
    assert np.all(np.abs(tempo.values / truth.tempo - 1) < 0.06)


def test_three_four_is_found(waltz):
    truth, audio = waltz
    beats = _run("beats", audio)[0]
    assert beats.metadata["meter"] == "3/4"
    assert abs(beats.metadata["bpm"] / truth.tempo - 1) < 0.04
    assert set(beats.labels) == {"1", "2", "3"}


def test_chords_match_the_truth(song):
    truth, audio = song
    seg = _run("chords", audio)[0]
    assert seg.kind == "segments" and seg.metadata["jams_namespace"] == "chord"
    ref_i = np.array([[a, b] for a, b, _ in truth.chords])
    est_i, est_l = mir_eval.util.adjust_intervals(np.stack([seg.starts, seg.ends], 1), list(seg.texts),
                                                  ref_i.min(), ref_i.max(), "N", "N")
    scores = mir_eval.chord.evaluate(ref_i, [lab for *_, lab in truth.chords], est_i, est_l)
    assert scores["majmin"] > 0.85
    # chord boundaries lie on beats
    beats = _run("beats", audio)[0].starts
    inner = seg.starts[(seg.starts > 0) & (seg.starts < beats[-1])]
    assert len(inner) >= 4
    assert np.all(np.min(np.abs(inner[:, None] - beats[None]), axis=1) < 0.6 * np.median(np.diff(beats)))


def test_key_global_and_segments(song, waltz):
    for truth, audio in (song, waltz):
        seg = _run("key", audio)[0]
        # the 4/4 song's key exactly; the waltz's at least within a fifth (MIREX weighted score >= 0.5)
        assert mir_eval.key.weighted_score(truth.key, seg.metadata["global_key"]) >= (1.0 if truth is song[0] else 0.5)
        assert len(seg) >= 1 and all(0.0 <= c <= 1.0 for c in seg.confidences)
        assert seg.starts[0] == 0.0 and abs(seg.ends[-1] - audio.duration) < 0.05


def test_exports_jams_lab_csv_labels(song, tmp_path):
    _, audio = song
    beats, tempo = _run("beats", audio)
    chords = _run("chords", audio)[0]
    key = _run("key", audio)[0]
    path = write_jams([beats, tempo, chords, key], tmp_path / "song.jams", audio)[0]
    doc = json.loads(path.read_text())
    spaces = [a["namespace"] for a in doc["annotations"]]
    assert spaces == ["beat", "tempo", "chord", "key_mode"]
    key_values = {o["value"] for o in doc["annotations"][3]["data"]}
    assert "A:minor" in key_values
    lab = export_layer(chords, tmp_path / "chords.lab", audio)[0].read_text().splitlines()
    first = lab[1].split("\t")
    assert len(lab) == len(chords) and float(first[0]) == pytest.approx(chords.starts[1]) and ":" in first[2]
    labels = export_layer(beats, tmp_path / "beats.txt", audio)[0].read_text().splitlines()
    assert len(labels) == len(beats)
    assert export_layer(key, tmp_path / "key.csv", audio)[0].read_text().startswith("start_s,end_s,text")
    with pytest.raises(WorkbenchError, match="not a chord layer"):
        export_layer(key, tmp_path / "key.lab", audio)


def test_click_track_and_progress(song):
    _, audio = song
    reports = []
    layers = _run("beats", audio, JobContext(on_progress=lambda f, t: reports.append(f)), click_track=True)
    clicks = layers[2].tracks["with clicks"]
    assert clicks.num_samples == audio.num_samples
    assert not np.allclose(clicks.samples[0], audio.samples[0] / np.abs(audio.samples).max() * 0.8, atol=1e-3)
    assert reports[-1] == 1.0 and len(reports) >= 3


def test_cancel_stops_the_job(song):
    _, audio = song
    ctx = JobContext()
    ctx.cancel()
    with pytest.raises(JobCancelled):
        _run("chords", audio, ctx)


@pytest.mark.parametrize("plugin_id", ["beats", "key", "chords"])
def test_bad_input_is_one_clear_error(plugin_id):
    with pytest.raises(WorkbenchError, match="silent"):
        _run(plugin_id, AudioBuffer(np.zeros((1, SR * 5), np.float32), SR))
    with pytest.raises(WorkbenchError, match="too short"):
        _run(plugin_id, AudioBuffer(np.full((1, SR), 0.1, np.float32), SR))
