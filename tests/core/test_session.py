"""Session: layer dict round trips, project save/load of every layer type, missing audio, atomic saves, edits."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.audio_io import load_audio, save_audio
from workbench.core.errors import WorkbenchError
from workbench.core.export import atomic
from workbench.core.layers import Curve, Layer, Tracks
from workbench.core.session import MissingAudioError, Session, tracks_folder


@pytest.fixture
def song(tmp_path, sample_audio):
    """sample_audio saved as a real WAV file and loaded back (so it has a source path)."""
    path = save_audio(sample_audio, tmp_path / "audio" / "song.wav")
    return load_audio(path)


@pytest.fixture
def full_session(song, sample_layers):
    session = Session(audio=song)
    for layer in sample_layers.values():
        session.add_layer(layer)
    session.set_color(sample_layers["curve"], "#ff4081")
    session.set_visible(sample_layers["events"], False)
    return session


def test_layer_from_dict_round_trip_every_type(sample_layers, layer_fields):
    for layer in sample_layers.values():
        d = json.loads(json.dumps(layer.to_dict()))  # through real JSON, as in a project file
        back = Layer.from_dict(d)
        assert type(back) is type(layer)
        if isinstance(layer, Tracks):  # audio travels separately (the session writes WAVs)
            assert back.tracks == {k: None for k in layer.tracks} and back.offset == layer.offset
            continue
        assert layer_fields(back, keep_id=True) == layer_fields(layer, keep_id=True), layer.kind


def test_save_load_round_trip_every_layer_type(tmp_path, full_session, sample_layers, layer_fields, song):
    project = tmp_path / "projects" / "p.awproj"
    assert full_session.dirty
    assert full_session.save(project) == project
    assert not full_session.dirty and full_session.path == project
    doc = json.loads(project.read_text())
    assert doc["version"] == 1 and doc["audio"]["path"] == "../audio/song.wav"
    assert doc["view"][0] == {"color": "#ff4081"} and doc["view"][2] == {"visible": False}
    assert all("display" not in d["metadata"] for d in doc["layers"])

    loaded = Session.load(project)
    assert not loaded.dirty and loaded.warnings == [] and not loaded.audio_missing
    assert loaded.audio_path == song.source
    np.testing.assert_array_equal(loaded.audio.samples, song.samples)
    assert [layer.kind for layer in loaded.layers] == list(sample_layers)
    for back, orig in zip(loaded.layers, sample_layers.values()):
        assert layer_fields(back, keep_id=True) == layer_fields(orig, keep_id=True), orig.kind
    assert loaded.view(loaded.layers[0])["color"] == "#ff4081"
    assert not loaded.is_visible(loaded.layers[2]) and loaded.is_visible(loaded.layers[1])
    stems = loaded.tracks[0]
    assert list(stems.tracks) == ["vocals", "drums"] and stems.tracks["vocals"].name == "vocals"
    assert all(p.parent == tracks_folder(project) for p in (b.source for b in stems.tracks.values()))


def test_project_moved_together_with_its_audio(tmp_path, song):
    session = Session(audio=song, layers=[Curve(name="c", times=[0.0], values=[1.0])])
    session.save(tmp_path / "audio" / "p.awproj")
    moved = tmp_path / "elsewhere"
    shutil.move(tmp_path / "audio", moved)
    loaded = Session.load(moved / "p.awproj")
    assert loaded.audio_path == moved / "song.wav" and loaded.audio.num_samples == song.num_samples


def test_missing_audio_is_named_and_layers_still_load_when_asked(tmp_path, full_session, song):
    project = full_session.save(tmp_path / "p.awproj")
    song.source.unlink()
    with pytest.raises(MissingAudioError, match="song.wav") as err:
        Session.load(project)
    assert err.value.path == song.source
    loaded = Session.load(project, missing_audio_ok=True)
    assert loaded.audio is None and loaded.audio_missing and "song.wav" in loaded.warnings[0]
    assert len(loaded.layers) == 9
    loaded.save()  # the reference to the missing file survives a save
    assert json.loads(project.read_text())["audio"]["absolute"] == str(song.source)
    replacement = save_audio(AudioBuffer(np.zeros((1, 800), np.float32), 16000), tmp_path / "found.wav")
    loaded.relink_audio(replacement)
    assert loaded.audio.num_samples == 800 and not loaded.audio_missing and loaded.dirty


def test_missing_track_file_is_named(tmp_path, full_session):
    project = full_session.save(tmp_path / "p.awproj")
    vocals = next(tracks_folder(project).glob("*vocals*.wav"))
    vocals.unlink()
    with pytest.raises(MissingAudioError, match="vocals"):
        Session.load(project)
    loaded = Session.load(project, missing_audio_ok=True)
    assert list(loaded.tracks[0].tracks) == ["drums"] and "vocals" in loaded.warnings[0]


def test_audio_without_a_file_is_kept_with_the_project(tmp_path, sample_audio):
    session = Session(audio=sample_audio)  # e.g. a recording: no source file
    project = session.save(tmp_path / "rec.awproj")
    loaded = Session.load(project)
    assert loaded.audio_path is None
    np.testing.assert_array_equal(loaded.audio.samples, sample_audio.samples)
    loaded.save()  # saving again keeps exactly one copy
    assert len(list(tracks_folder(project).glob("*.wav"))) == 1


def test_failed_save_keeps_the_old_project_intact(tmp_path, full_session, sample_layers, monkeypatch, layer_fields):
    project = full_session.save(tmp_path / "p.awproj")
    before = project.read_bytes()
    old_tracks = sorted(p.name for p in tracks_folder(project).iterdir())
    # New content: other stems and one more layer, then the disk fails while the JSON is being written.
    louder = {k: AudioBuffer(b.samples * 2, b.sample_rate) for k, b in sample_layers["tracks"].tracks.items()}
    full_session.replace_layer(sample_layers["tracks"], Tracks(name="louder", tracks=louder))
    full_session.add_layer(Curve(name="extra", times=[0.0], values=[1.0]))

    def failing_fsync(fd):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(atomic.os, "fsync", failing_fsync)
    with pytest.raises(WorkbenchError, match="Cannot save project"):
        full_session.save(project)
    monkeypatch.undo()
    assert full_session.dirty
    assert project.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if "tmp" in p.name]
    loaded = Session.load(project)  # the old tracks are all still there
    assert [layer.name for layer in loaded.layers] == [layer.name for layer in sample_layers.values()]
    assert layer_fields(loaded.tracks[0], keep_id=True) == layer_fields(sample_layers["tracks"], keep_id=True)
    # The next good save drops the files nobody references any more.
    full_session.save(project)
    now = sorted(p.name for p in tracks_folder(project).iterdir())
    assert len(now) == 2 and not set(now) & set(old_tracks)


def test_removing_all_tracks_removes_the_folder_on_save(tmp_path, full_session, sample_layers):
    project = full_session.save(tmp_path / "p.awproj")
    assert tracks_folder(project).is_dir()
    full_session.remove_layer(sample_layers["tracks"])
    full_session.save()
    assert not tracks_folder(project).exists()


def test_edits_return_what_undo_needs(sample_layers):
    a, b, c = sample_layers["curve"], sample_layers["notes"], sample_layers["events"]
    s = Session(layers=[a, b])
    s.dirty = False
    assert s.add_layer(c, 0) == 0 and s.layers == [c, a, b] and s.dirty
    assert s.remove_layer(c) == (c, 0) and s.layers == [a, b]
    s.add_layer(c, 0)  # undo of the removal
    assert s.layers == [c, a, b]
    assert s.move_layer(c.id, 2) == 0 and s.layers == [a, b, c]
    s.move_layer(c, 0)
    assert s.replace_layer(a.id, sample_layers["tags"]) is a and s.layers[1] is sample_layers["tags"]
    s.replace_layer(sample_layers["tags"], a)
    assert s.layers == [c, a, b]
    assert s.set_visible(a, False) is True and s.set_visible(a, True) is False
    assert s.set_color(a, "#00ff00") is None and s.set_color(a, "#0000ff") == "#00ff00"
    with pytest.raises(ValueError):
        s.add_layer(a)
    with pytest.raises(ValueError):
        s.remove_layer("no-such-id")
    assert s.layer(b.id) is b and s.tracks == []


def test_bad_project_files_give_clear_errors(tmp_path):
    with pytest.raises(WorkbenchError, match="does not exist"):
        Session.load(tmp_path / "none.awproj")
    (tmp_path / "a.awproj").write_text("{broken")
    with pytest.raises(WorkbenchError, match="not a valid project file"):
        Session.load(tmp_path / "a.awproj")
    (tmp_path / "b.awproj").write_text('{"hello": 1}')
    with pytest.raises(WorkbenchError, match="not an Audio Workbench project"):
        Session.load(tmp_path / "b.awproj")
    (tmp_path / "c.awproj").write_text('{"format": "audio-workbench-project", "version": 99}')
    with pytest.raises(WorkbenchError, match="newer version"):
        Session.load(tmp_path / "c.awproj")
    bad_layer = {"format": "audio-workbench-project", "version": 1, "audio": None,
                 "layers": [{"kind": "hologram", "name": "x"}]}
    (tmp_path / "d.awproj").write_text(json.dumps(bad_layer))
    with pytest.raises(WorkbenchError, match="layer 1 \\('x'\\)"):
        Session.load(tmp_path / "d.awproj")
    with pytest.raises(WorkbenchError, match="Choose where"):
        Session().save()


# ----- saves touch only the files the project wrote ---------------------------------------------------------
def _wav(path, value=0.1, n=800, sr=16000):
    return save_audio(AudioBuffer(np.full((1, n), value, np.float32), sr), path)


def test_a_users_folder_named_like_the_project_is_never_touched(tmp_path, full_session, sample_layers):
    """`mix.tracks/` (the old naming) and even `mix.awproj-audio/` full of the user's takes survive saves."""
    old_style = tmp_path / "mix.tracks"
    takes = [_wav(old_style / f"take{i}.wav", 0.1 * i) for i in range(3)]
    project = full_session.save(tmp_path / "mix.awproj")
    assert tracks_folder(project).name == "mix.awproj-audio" and tracks_folder(project) != old_style
    user_file = _wav(tracks_folder(project) / "my_take_0123456789ab.wav")  # looks like ours, but is not owned
    full_session.remove_layer(sample_layers["tracks"])
    full_session.save()
    assert all(t.is_file() for t in takes) and user_file.is_file()
    assert sorted(p.name for p in tracks_folder(project).iterdir()) == [user_file.name]


def test_save_never_follows_a_symlinked_audio_folder(tmp_path, full_session, sample_layers):
    """A shared project shipping `evil.awproj-audio -> ~/Music` cannot empty or write into that folder."""
    music = tmp_path / "Music"
    songs = [_wav(music / f"song_{i:012x}.wav", 0.1 * (i + 1)) for i in range(3)]
    project = tmp_path / "shared" / "evil.awproj"
    project.parent.mkdir()
    owned = [f"evil.awproj-audio/{s.name}" for s in songs]  # a hand-made manifest claiming the user's files
    project.write_text(json.dumps({"format": "audio-workbench-project", "version": 1, "audio": None,
                                   "layers": [], "owned": owned}))
    tracks_folder(project).symlink_to(music, target_is_directory=True)
    with pytest.raises(WorkbenchError, match="symbolic link"):
        full_session.save(project)  # has tracks to store: refuses to write through the link
    full_session.remove_layer(sample_layers["tracks"])
    full_session.save(project)  # nothing to store: saves, and deletes nothing behind the link
    assert sorted(p.name for p in music.iterdir()) == sorted(s.name for s in songs)


def test_resaving_over_a_stem_used_as_the_audio_keeps_it(tmp_path, full_session):
    """Re-open a stem from the project's own folder as the document's audio and save over the project."""
    project = full_session.save(tmp_path / "song.awproj")
    stem = next(tracks_folder(project).glob("*vocals*.wav"))
    again = Session(audio=load_audio(stem))  # no Tracks layers: the new save stores nothing itself
    again.save(project)
    assert stem.is_file()
    assert Session.load(project).audio.num_samples == load_audio(stem).num_samples


def test_links_inside_the_audio_folder_are_never_deleted_through(tmp_path, full_session, sample_layers):
    project = full_session.save(tmp_path / "p.awproj")
    precious = _wav(tmp_path / "precious.wav")
    owned = json.loads(project.read_text())["owned"]
    victim = tracks_folder(project) / Path(owned[0]).name
    victim.unlink()
    victim.symlink_to(precious)  # an owned name now points at a user's file
    full_session.remove_layer(sample_layers["tracks"])
    full_session.save()
    assert precious.is_file() and load_audio(precious).num_samples == 800


def test_projects_of_the_old_layout_still_open(tmp_path, song):
    """Version-1 projects kept their audio in `<stem>.tracks/` and had no manifest."""
    stem = _wav(tmp_path / "old.tracks" / "t_vocals_0123456789ab.wav", 0.2)
    doc = {"format": "audio-workbench-project", "version": 1,
           "audio": {"path": str(song.source), "absolute": str(song.source)},
           "layers": [{"kind": "tracks", "name": "t", "source": "separation", "metadata": {}, "id": "t",
                       "offset": 0.0, "tracks": {"vocals": "old.tracks/t_vocals_0123456789ab.wav"}}]}
    (tmp_path / "old.awproj").write_text(json.dumps(doc))
    loaded = Session.load(tmp_path / "old.awproj")
    assert loaded.tracks[0].tracks["vocals"].num_samples == 800
    loaded.save()  # re-saved in the new layout; the old folder is not ours to clean
    assert stem.is_file() and (tmp_path / "old.awproj-audio").is_dir()
    assert Session.load(tmp_path / "old.awproj").tracks[0].tracks["vocals"].num_samples == 800

BAD_FIELDS = {  # hand-edited project files: each must give one clear line, naming the layer and field
    "wrong-typed times": ({"kind": "curve", "name": "f0", "times": "abc", "values": []}, "layer 1 ('f0'), field 'times'"),
    "number as name": ({"kind": "curve", "name": 5}, "field 'name'"),
    "list as metadata": ({"kind": "curve", "name": "f0", "metadata": []}, "field 'metadata'"),
    "unknown field": ({"kind": "curve", "name": "f0", "colour": "red"}, "unknown field"),
    "unknown kind": ({"kind": "hologram", "name": "x"}, "layer 1 ('x')"),
    "no kind": ({"name": "x"}, "'kind'"),
    "layer not an object": (3, "layer 1"),
    "text in numbers": ({"kind": "notes", "name": "n", "onsets": [1, "a"]}, "field 'onsets[1]'"),
    "unequal lengths": ({"kind": "curve", "name": "f0", "times": [0, 1], "values": [1]}, "same length"),
    "matrix shape": ({"kind": "matrix", "name": "m", "times": [0], "bins": [1, 2], "values": [[1]]}, "shape"),
    "track path a number": ({"kind": "tracks", "name": "t", "tracks": {"a": 3}}, "field 'tracks.a'"),
    "match without item": ({"kind": "matches", "name": "m", "matches": [{"score": 1}]}, "'item'"),
    "offset as text": ({"kind": "tracks", "name": "t", "offset": "soon"}, "field 'offset'"),
    "labels not strings": ({"kind": "events", "name": "e", "labels": [1]}, "field 'labels[0]'"),
}


@pytest.mark.parametrize("case", list(BAD_FIELDS))
def test_hand_edited_layers_are_refused_with_one_clear_line(tmp_path, case):
    layer, expected = BAD_FIELDS[case]
    path = tmp_path / "p.awproj"
    path.write_text(json.dumps({"format": "audio-workbench-project", "version": 1, "audio": None, "layers": [layer]}))
    with pytest.raises(WorkbenchError) as err:
        Session.load(path)
    message = str(err.value)
    assert expected in message and "\n" not in message, message
    assert not any(t in message for t in ("AttributeError", "Traceback", "__init__()")), message


@pytest.mark.parametrize("doc, expected", [
    ({"layers": "all of them"}, "field 'layers'"),
    ({"audio": {"path": 3}}, "field 'audio.path'"),
    ({"audio": {"path": "a.wav", "sample_rate": "44100"}}, "field 'audio.sample_rate'"),
    ({"view": [{"visible": "yes"}], "layers": [{"kind": "curve", "name": "f0"}]}, "the view of layer 1"),
    ({"owned": "everything"}, "field 'owned'"),
])
def test_hand_edited_top_level_fields_are_refused(tmp_path, doc, expected):
    path = tmp_path / "p.awproj"
    path.write_text(json.dumps({"format": "audio-workbench-project", "version": 1, "audio": None, **doc}))
    with pytest.raises(WorkbenchError, match=expected.replace("(", r"\(").replace("[", r"\[")):
        Session.load(path)
