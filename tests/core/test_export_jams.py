"""JAMS export (jams.load + validate) and the reader's round trip; dispatch and atomicity of export_layers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import soundfile as sf

from workbench.core.errors import WorkbenchError
from workbench.core.export import atomic, export_layer, export_layers, layers_from_jams, read_jams
from workbench.core.layers import Curve, Events, Notes

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import jams

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema.*")

ROUND_TRIP = ["curve", "notes", "events", "segments", "words", "tags"]


@pytest.fixture
def all_jams(tmp_path, sample_layers, sample_audio):
    path = tmp_path / "all.jams"
    written = export_layers(list(sample_layers.values()), path, audio=sample_audio)
    return path, written


def test_jams_loads_and_validates_with_expected_namespaces(all_jams, sample_layers, sample_audio):
    path, written = all_jams
    jam = jams.load(str(path))  # validates by default
    assert jam.validate()
    assert jam.file_metadata.duration == pytest.approx(sample_audio.duration)
    namespaces = [a.namespace for a in jam.annotations]
    assert namespaces == ["pitch_contour", "note_midi", "tag_open", "lyrics", "lyrics", "tag_open", "blob", "blob",
                          "blob"]
    for ann, layer in zip(jam.annotations, sample_layers.values()):
        assert ann.annotation_metadata.annotation_tools == layer.source
        assert ann.annotation_metadata.annotator["name"] == layer.name
        assert ann.annotation_metadata.annotator["plugin"] == layer.source
        ann.validate()


def test_jams_namespace_contents(all_jams, sample_layers, sample_audio):
    jam = jams.load(str(all_jams[0]))
    pitch = jam.annotations[0].data
    curve = sample_layers["curve"]
    assert len(pitch) == len(curve.times)
    assert pitch[50].value == {"index": 0, "frequency": pytest.approx(curve.values[50]), "voiced": True}
    assert pitch[0].value["voiced"] is False
    notes = jam.annotations[1].data
    assert [o.value for o in notes] == pytest.approx(list(sample_layers["notes"].pitches))
    tags = jam.search(namespace="tag_open")[1].data
    assert {o.value: o.confidence for o in tags} == pytest.approx({"Speech": 0.2, "Music": 0.91, "Dog": 0.05})
    assert all(o.time == 0 and o.duration == pytest.approx(sample_audio.duration) for o in tags)
    lyrics = jam.annotations[3].data
    assert [o.value for o in lyrics] == sample_layers["segments"].texts


def test_jams_blobs_summarise_matrix_tracks_matches(all_jams, sample_layers):
    path, written = all_jams
    jam = jams.load(str(path))
    matrix, tracks, matches = (a.data for a in jam.annotations[6:])
    assert matrix[0].value["shape"] == [20, 4] and matrix[0].value["bins"] == [55.0, 110.0, 220.0, 440.0]
    files = [o.value["file"] for o in tracks]
    assert files == ["all_stems_vocals.wav", "all_stems_drums.wav"]
    assert written[1:] == [path.parent / f for f in files]
    data, sr = sf.read(path.parent / files[0], dtype="float32", always_2d=True)
    np.testing.assert_array_equal(data.T, sample_layers["tracks"].tracks["vocals"].samples)
    assert tracks[0].time == 0.25
    assert [o.value["rank"] for o in matches] == [1, 2] and matches[0].value["title"] == "Song A"


def test_jams_round_trip(all_jams, sample_layers, layer_fields):
    layers, skipped = read_jams(all_jams[0])
    assert skipped == ["blob", "blob", "blob"]
    assert [layer.kind for layer in layers] == ROUND_TRIP
    for layer in layers:
        assert layer_fields(layer) == layer_fields(sample_layers[layer.kind]), layer.kind


def test_non_hz_curve_uses_vector_and_drops_nan_frames(tmp_path):
    curve = Curve(name="loudness", source="features", times=[0.0, 0.1, 0.2], values=[-30.0, np.nan, -12.5],
                  unit="dB")
    export_layer(curve, tmp_path / "c.jams")
    jam = jams.load(str(tmp_path / "c.jams"))
    assert jam.annotations[0].namespace == "vector"
    (back,) = layers_from_jams(tmp_path / "c.jams")
    assert back.unit == "dB" and back.times.tolist() == [0.0, 0.2] and back.values.tolist() == [-30.0, -12.5]


def test_foreign_jams_is_read(tmp_path):
    """A JAMS file made by another tool (no sandbox): note_hz and tag_open become layers, chords are skipped."""
    jam = jams.JAMS()
    jam.file_metadata.duration = 3.0
    notes = jams.Annotation(namespace="note_hz")
    notes.append(time=0.5, duration=0.5, value=440.0, confidence=None)
    tags = jams.Annotation(namespace="tag_open")
    tags.append(time=1.0, duration=1.0, value="dog", confidence=None)
    chords = jams.Annotation(namespace="chord")
    chords.append(time=0.0, duration=3.0, value="C:maj", confidence=None)
    jam.annotations.extend([notes, tags, chords])
    jam.save(str(tmp_path / "foreign.jams"))
    layers, skipped = read_jams(tmp_path / "foreign.jams")
    assert skipped == ["chord"]
    n, e = layers
    assert isinstance(n, Notes) and n.pitches.tolist() == pytest.approx([69.0]) and n.offsets.tolist() == [1.0]
    assert isinstance(e, Events) and e.labels == ["dog"] and e.confidences.tolist() == [1.0]


def test_bad_jams_gives_clear_error(tmp_path):
    (tmp_path / "bad.jams").write_text("{not json")
    with pytest.raises(WorkbenchError, match="bad.jams"):
        layers_from_jams(tmp_path / "bad.jams")
    with pytest.raises(WorkbenchError, match="does not exist"):
        layers_from_jams(tmp_path / "nope.jams")


def test_duration_without_audio_comes_from_layers(tmp_path, sample_layers):
    export_layers([sample_layers["notes"]], tmp_path / "n.jams")
    assert jams.load(str(tmp_path / "n.jams")).file_metadata.duration == pytest.approx(2.3333)


# ----- dispatch ----------------------------------------------------------------------------------
def test_several_layers_supporting_the_format_get_suffixed_names(tmp_path, sample_layers):
    rms = Curve(name="rms level", times=[0.0], values=[1.0])
    dup = Curve(name="rms level", times=[0.0], values=[2.0])
    written = export_layers([sample_layers["notes"], sample_layers["curve"], rms, dup], tmp_path / "out.csv")
    assert written == [tmp_path / "out.csv", tmp_path / "out_f0.csv", tmp_path / "out_rms_level.csv",
                       tmp_path / "out_rms_level_2.csv"]
    assert (tmp_path / "out.csv").read_text().startswith("time,value,duration,")  # the first supporting one: notes
    assert (tmp_path / "out_rms_level_2.csv").read_text().splitlines()[1] == "0.0,2.0"


def test_first_layer_supporting_the_extension_is_chosen(tmp_path, sample_layers):
    written = export_layers([sample_layers["curve"], sample_layers["notes"]], tmp_path / "x.mid")
    assert written == [tmp_path / "x.mid"]


def test_unsupported_extension_names_kinds_and_formats(tmp_path, sample_layers):
    with pytest.raises(WorkbenchError) as err:
        export_layers([sample_layers["curve"], sample_layers["events"]], tmp_path / "x.mid")
    msg = str(err.value)
    assert "x.mid" in msg and "curve layers as .csv, .svl, .lab, .jams" in msg
    assert "events layers as .txt, .csv, .svl, .jams" in msg
    assert not (tmp_path / "x.mid").exists()
    with pytest.raises(WorkbenchError, match="no result layers"):
        export_layers([], tmp_path / "x.csv")
    with pytest.raises(WorkbenchError, match="notes layer 'notes'.*'.srt'"):
        export_layer(sample_layers["notes"], tmp_path / "x.srt")


def test_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path, sample_layers, monkeypatch):
    target = tmp_path / "f0.csv"
    target.write_text("old contents\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError):
        export_layer(sample_layers["curve"], target)
    assert target.read_text() == "old contents\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f0.csv"]


def test_long_annotations_are_checked_by_head_and_tail(tmp_path, sample_layers, monkeypatch):
    from workbench.core.export import jams_export

    monkeypatch.setattr(jams_export, "VALIDATE_ALL_BELOW", 10)  # the 200-frame curve takes the sampled path
    export_layers(list(sample_layers.values()), tmp_path / "x.jams")
    assert jams.load(str(tmp_path / "x.jams")).validate()
