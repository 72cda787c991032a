"""Song identification: landmark fingerprints in the library database, `workbench library identify`, the
Library dialog's "Identify a file" button; degraded clips, other recordings of the same song, bad input."""

from __future__ import annotations

import json
import sqlite3

import numpy as np
import pytest
import soundfile as sf

import pytestqt  # noqa: F401  -- a test dependency: a missing one is an error, not a skip
from workbench.cli import main
from workbench.core.errors import WorkbenchError
from workbench_plugins.cover_search.identify import identify
from workbench_plugins.cover_search.library import Library

from .song_synth import draw_song, phone, render_song

SR = 22050


@pytest.fixture(scope="module")
def music(tmp_path_factory):
    """Two rendered songs in a library folder, plus (outside it) the first song played by other instruments."""
    root = tmp_path_factory.mktemp("audio_id")
    folder = root / "music"
    folder.mkdir()
    rng = np.random.default_rng(5)
    # 6 bars of 3/4: the 4-chord progression does not repeat whole, so each clip has one true offset
    first = draw_song(rng, bars=6, tempo=90.0, meter=3)
    for name, song in (("one.wav", first), ("two.wav", draw_song(rng, bars=6, tempo=80.0, meter=3))):
        y, _ = render_song(song, np.random.default_rng(1), SR)
        sf.write(folder / name, y, SR)
    first.program, first.bass_program = (48 if first.program != 48 else 0), 38  # the same notes, other sounds
    y, _ = render_song(first, np.random.default_rng(1), SR)
    sf.write(root / "one_other_band.wav", y, SR)
    db = root / "lib.sqlite"
    with Library(db) as lib:
        lib.add_folder(folder)
    return root, folder, db


def _clip(path, start: float, seconds: float, seed: int = 0):
    y, sr = sf.read(path, dtype="float32")
    a = int(start * sr)
    return phone(y[a:a + int(seconds * sr)], sr, np.random.default_rng(seed)), sr


def test_degraded_clip_is_found_with_its_offset(music):
    root, folder, db = music
    with Library(db) as lib:
        for name, start in (("one.wav", 3.0), ("two.wav", 6.5)):
            clip, sr = _clip(folder / name, start, 8.0)
            found = identify(lib.db, str(db), clip, sr)
            assert found and found[0]["path"].endswith(name)
            assert abs(found[0]["offset_s"] - start) <= 0.2


def test_other_recording_of_the_same_song_does_not_match(music):
    root, folder, db = music
    clip, sr = _clip(root / "one_other_band.wav", 3.0, 8.0)
    with Library(db) as lib:
        assert identify(lib.db, str(db), clip, sr) == []


def test_cli_identify_json(music, capsys, tmp_path):
    root, folder, db = music
    clip, sr = _clip(folder / "two.wav", 4.0, 8.0, seed=3)
    sf.write(tmp_path / "clip.wav", clip, sr)
    assert main(["library", "--db", str(db), "identify", str(tmp_path / "clip.wav"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert list(out) == ["matches"] and set(out["matches"][0]) == {"path", "offset_s", "score"}
    assert out["matches"][0]["path"].endswith("two.wav") and abs(out["matches"][0]["offset_s"] - 4.0) <= 0.2
    other, sr = _clip(root / "one_other_band.wav", 2.0, 8.0)
    sf.write(tmp_path / "other.wav", other, sr)
    assert main(["library", "--db", str(db), "identify", str(tmp_path / "other.wav"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"matches": []}


def test_bad_clips_are_one_clear_error(music, tmp_path, capsys):
    root, folder, db = music
    with Library(db) as lib:
        with pytest.raises(WorkbenchError, match="silent"):
            identify(lib.db, str(db), np.zeros(SR * 8, np.float32), SR)
        with pytest.raises(WorkbenchError, match="too short"):
            identify(lib.db, str(db), _clip(folder / "one.wav", 2.0, 1.0)[0], SR)
        long = np.tile(sf.read(folder / "one.wav", dtype="float32")[0], 2)
        with pytest.raises(WorkbenchError, match="longer than every track"):
            identify(lib.db, str(db), long, SR)
    sf.write(tmp_path / "short.wav", np.full(SR, 0.1, np.float32), SR)
    assert main(["library", "--db", str(db), "identify", str(tmp_path / "short.wav")]) == 2
    assert "too short" in capsys.readouterr().err


def test_old_library_is_migrated_not_lost(music, tmp_path):
    root, folder, _ = music
    old = tmp_path / "old.sqlite"
    with Library(old) as lib:
        lib.add_folder(folder)
    con = sqlite3.connect(old)  # make it look like a library written before fingerprints existed
    con.executescript("DROP TABLE fingerprints; DROP TABLE fingerprinted; DELETE FROM meta "
                      "WHERE key='fingerprint_version';")
    con.commit()
    con.close()
    clip, sr = _clip(folder / "one.wav", 2.5, 8.0)
    with Library(old) as lib:
        assert len(lib) == 2  # the tracks are kept
        with pytest.raises(WorkbenchError, match="no fingerprints.*scan"):
            identify(lib.db, str(old), clip, sr)
        report = lib.scan()
        assert report.analysed == 2
        assert identify(lib.db, str(old), clip, sr)[0]["path"].endswith("one.wav")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(WorkbenchError, match="not a library database"):
        Library(junk)
    assert junk.read_bytes().startswith(b"this is not")  # nothing overwritten


def test_dialog_identifies_a_file(qtbot, music, tmp_path):
    from workbench_plugins.cover_search.dialog import LibraryDialog

    root, folder, db = music
    clip, sr = _clip(folder / "one.wav", 4.0, 8.0, seed=9)
    sf.write(tmp_path / "clip.wav", clip, sr)
    dialog = LibraryDialog(library_path=db)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.identify_finished, timeout=60000) as sig:
        dialog.identify_file(tmp_path / "clip.wav")
    assert sig.args == ["done"]
    assert dialog.last_matches[0]["path"].endswith("one.wav")
    assert "one.wav" in dialog.status.text() and dialog.identify_button.isEnabled()
    dialog.grab().save(str(tmp_path / "dialog.png"))


def test_live_identify_processor(music, tmp_path):
    from workbench.core.resample import resample_array
    from workbench.live.live_plugins import make_processor

    root, folder, db = music
    proc = make_processor("identify", device="cpu", library=str(db))
    clip, sr = _clip(folder / "two.wav", 2.0, 11.0, seed=4)
    y = resample_array(clip[None], sr, proc.sample_rate)[0]
    hop = proc.sample_rate // 2
    out = []
    for i in range(0, len(y) - hop + 1, hop):
        out += proc.push(y[i:i + hop], 100.0 + i / proc.sample_rate)
    assert len(out) == 1 and out[0].kind == "matches"  # reported once, not at every look-up
    best = out[0].matches[0]
    live_t, track_t = best.alignment[0]
    assert best.item.endswith("two.wav") and abs((track_t - live_t) - (2.0 - 100.0)) <= 0.2
    with pytest.raises(WorkbenchError, match="empty"):
        make_processor("identify", device="cpu", library=str(tmp_path / "empty.sqlite"))
