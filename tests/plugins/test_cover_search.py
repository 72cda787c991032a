"""Cover search on a small library rendered in the test: three tunes, each also transposed and tempo-changed
with another instrument; the true covers must rank first."""

from __future__ import annotations

import os

import numpy as np
import pytest

from workbench.core.audio_io import load_audio
from workbench.core.errors import JobCancelled, WorkbenchError
from workbench.core.layers import Matches
from workbench.core.plugin_api import JobContext, run_process
from workbench_plugins.cover_search.features import EMBEDDING_DIM, analyse_samples
from workbench_plugins.cover_search.library import Library
from workbench_plugins.cover_search.manifest import MANIFEST
from workbench_plugins.cover_search.query import CoverSearcher
from workbench_plugins.ddsp.midi_render import render_midi

# (tune seed, original program); covers: (transpose semitones, tempo factor, program)
TUNES = {"tune1": (1, 0), "tune2": (2, 24), "tune3": (3, 73)}
COVERS = {"up2_fast": (2, 1.2, 40), "down3_slow": (-3, 0.8, 56)}


def tune_midi(seed: int, transpose: int, tempo: float, program: int):
    """32 beats: a seeded melody over a seeded chord progression (chords on channel 1, piano)."""
    import mido

    rng = np.random.default_rng(seed)
    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=int(500000 / tempo)))
    tr.append(mido.Message("program_change", program=program, channel=0, time=0))
    tr.append(mido.Message("program_change", program=0, channel=1, time=0))
    events = []  # (tick, kind, note, channel)
    t, note = 0, 67
    while t < 32 * 480:
        dur = int(rng.choice([240, 480, 720]))
        note = int(np.clip(note + rng.choice([-5, -3, -2, -1, 1, 2, 3, 4]), 60, 79))
        events += [(t, "note_on", note + transpose, 0), (t + dur - 20, "note_off", note + transpose, 0)]
        t += dur
    roots = rng.choice([0, 2, 4, 5, 7, 9], size=16)
    for i, r in enumerate(roots):
        minor = r in (2, 4, 9)
        for iv in (0, 3 if minor else 4, 7):
            n = 48 + int(r) + iv + transpose
            events += [(i * 960, "note_on", n, 1), (i * 960 + 940, "note_off", n, 1)]
    last = 0
    for tick, kind, n, ch in sorted(events, key=lambda e: (e[0], e[1] == "note_on")):
        tr.append(mido.Message(kind, note=n, velocity=90 if ch == 0 else 60, channel=ch, time=tick - last))
        last = tick
    return mid


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    folder = tmp_path_factory.mktemp("music")
    for name, (seed, program) in TUNES.items():
        render_midi(tune_midi(seed, 0, 1.0, program), folder / f"{name}_orig.wav", sample_rate=22050)
        for cover, (semis, tempo, prog) in COVERS.items():
            render_midi(tune_midi(seed, semis, tempo, prog), folder / f"{name}_{cover}.wav", sample_rate=22050)
    return folder


@pytest.fixture(scope="module")
def library(music, tmp_path_factory):
    lib = Library(tmp_path_factory.mktemp("lib") / "covers.sqlite")
    seen = []
    report = lib.add_folder(music, progress=lambda f, t: seen.append(f))
    assert report.analysed == 9 and report.failed == 0
    assert seen and seen[-1] == 1.0
    yield lib
    lib.close()


def test_library_stores_fixed_size_embeddings(library):
    ids, emb = library.embeddings()
    assert emb.shape == (9, EMBEDDING_DIM)
    assert np.allclose(np.linalg.norm(emb, axis=1), 1.0, atol=1e-4)


@pytest.mark.parametrize("tune", sorted(TUNES))
def test_true_covers_rank_first(library, music, tune):
    query = music / f"{tune}_orig.wav"
    buf = load_audio(query)
    matches = CoverSearcher(library).query(analyse_samples(buf.mono_samples, buf.sample_rate), top_k=8,
                                           exclude=str(query))
    names = [os.path.basename(m.item) for m in matches]
    print(tune, [(n, round(m.score, 3), m.transposition, round(m.tempo_ratio, 2)) for n, m in zip(names, matches)])
    assert set(names[:2]) == {f"{tune}_up2_fast.wav", f"{tune}_down3_slow.wav"}
    by_name = dict(zip(names, matches))
    fast, slow = by_name[f"{tune}_up2_fast.wav"], by_name[f"{tune}_down3_slow.wav"]
    assert fast.transposition == -2 and slow.transposition == 3  # semitones to add to the item
    assert abs(fast.tempo_ratio - 1 / 1.2) < 0.12 and abs(slow.tempo_ratio - 1 / 0.8) < 0.15
    assert len(fast.alignment) > 10
    q_times = [a for a, _ in fast.alignment]
    assert q_times == sorted(q_times)


def test_embedding_alone_is_transposition_invariant(library, music):
    """With no re-ranking the embedding still finds one of the covers among the top three."""
    buf = load_audio(music / "tune1_orig.wav")
    matches = CoverSearcher(library).query(analyse_samples(buf.mono_samples, buf.sample_rate), top_k=3, rerank=0,
                                           exclude=str(music / "tune1_orig.wav"))
    assert any(os.path.basename(m.item).startswith("tune1_") for m in matches)


def test_rescan_only_redoes_changed_files(library, music, tmp_path):
    report = library.scan()
    assert (report.analysed, report.unchanged, report.removed) == (0, 9, 0)
    extra = music / "tune1_copy.wav"
    extra.write_bytes((music / "tune1_orig.wav").read_bytes())
    report = library.scan()
    assert (report.analysed, report.unchanged) == (1, 9)
    extra.unlink()
    report = library.scan()
    assert (report.analysed, report.removed) == (0, 1)
    assert len(library) == 9


def test_scan_can_be_cancelled(music, tmp_path):
    with Library(tmp_path / "c.sqlite") as lib:
        with pytest.raises(JobCancelled):
            lib.add_folder(music, cancelled=lambda: True)
        assert len(lib) == 0
        assert lib.folders() == [str(music.resolve())]


def test_plugin_returns_matches_layer(library, music):
    buf = load_audio(music / "tune2_orig.wav")
    params = {"library": str(library.path), "top_k": 3, "rerank": 10}
    layers = run_process(MANIFEST, buf, params, JobContext())
    assert len(layers) == 1 and isinstance(layers[0], Matches)
    names = [os.path.basename(m.item) for m in layers[0].matches]
    assert "tune2_orig.wav" not in names  # the query itself is left out
    assert set(names[:2]) == {"tune2_up2_fast.wav", "tune2_down3_slow.wav"}
    assert layers[0].to_dict()["matches"][0]["alignment"]


def test_empty_library_and_bad_folder_are_clear_errors(tmp_path):
    with Library(tmp_path / "e.sqlite") as lib:
        with pytest.raises(WorkbenchError, match="not a folder"):
            lib.add_folder(tmp_path / "missing")
    from workbench.core.audio import AudioBuffer

    tone = AudioBuffer(np.sin(np.arange(22050 * 5) * 0.05).astype(np.float32), 22050)
    with pytest.raises(WorkbenchError, match="empty"):
        run_process(MANIFEST, tone, {"library": str(tmp_path / "e.sqlite"), "top_k": 3, "rerank": 5}, JobContext())
