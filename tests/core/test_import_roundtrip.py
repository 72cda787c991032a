"""Every format we write imports back: export -> import -> the same layer, to the precision the format keeps.

Each format keeps some fields and not others (a label track has no confidence, a pitch CSV has no unvoiced
frames); ``KEEPS`` says which, and the test checks exactly those, so a reader or writer that loses or bends
a field fails here.
"""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.errors import WorkbenchError
from workbench.core.export import FORMATS, export_layer, export_layers
from workbench.core.importers import as_kind, import_layers

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema.*")

FRAME = 1 / 44100 + 1e-12  # .svl stores sample frames (44.1 kHz without audio)
MIDI_TICK = 1 / 960 + 1e-12
MS = 0.0005 + 1e-12  # subtitles round to the millisecond

# (kind, extension) -> (time tolerance, fields kept beyond the times and labels/texts/values)
KEEPS = {
    ("curve", ".csv"): (0, {"unit", "voiced_only"}), ("curve", ".lab"): (0, {"voiced_only"}),
    ("curve", ".svl"): (FRAME, {"unit", "voiced_only", "name"}),
    ("curve", ".jams"): (0, {"unit", "confidence", "voiced", "name", "source"}),
    ("notes", ".csv"): (1e-9, {"fractional"}), ("notes", ".mid"): (MIDI_TICK, {"velocity", "name"}),
    ("notes", ".svl"): (FRAME, {"velocity", "fractional", "name"}),
    ("notes", ".jams"): (1e-9, {"velocity", "fractional", "name", "source"}),
    ("events", ".txt"): (0, set()), ("events", ".csv"): (0, {"confidence"}),
    ("events", ".svl"): (FRAME, {"confidence", "name"}), ("events", ".jams"): (1e-9, {"confidence", "name", "source"}),
}
for _kind in ("segments", "words"):
    KEEPS.update({(_kind, ".srt"): (MS, set()), (_kind, ".vtt"): (MS, set()), (_kind, ".txt"): (0, set()),
                  (_kind, ".textgrid"): (0, {"name"}), (_kind, ".svl"): (FRAME, {"confidence", "name"}),
                  (_kind, ".csv"): (0, {"confidence"}), (_kind, ".jams"): (1e-9, {"confidence", "name", "source"})})
OTHER = {("tags", ".csv"), ("tags", ".jams"), ("matrix", ".csv"), ("matrix", ".npz"), ("matches", ".csv")}
NOT_ANNOTATIONS = {("matrix", ".jams"), ("tracks", ".jams"), ("matches", ".jams"),  # JAMS blobs: summaries only
                   ("tracks", ".wav"), ("tracks", ".flac"),  # audio
                   ("segments", ".text"), ("words", ".text")}  # plain text has no times


def test_the_table_covers_every_written_format():
    written = {(kind, ext) for kind, table in FORMATS.items() for ext in table}
    assert written == set(KEEPS) | OTHER | NOT_ANNOTATIONS


def _close(a, b, tol):
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=0, atol=tol)


@pytest.mark.parametrize("kind, ext", sorted(KEEPS))
def test_export_then_import_gives_the_same_layer(tmp_path, sample_layers, kind, ext):
    layer = sample_layers[kind]
    tol, keeps = KEEPS[(kind, ext)]
    path = tmp_path / f"{kind}{ext}"
    export_layer(layer, path)
    hint = kind if kind in ("events", "segments", "words") else None
    (back,) = import_layers(path, kind=hint)
    assert back.kind == kind
    assert back.name == (layer.name if "name" in keeps else path.stem)
    if "source" in keeps:
        assert back.source == layer.source
    else:
        assert back.source == "import" and back.metadata["imported_from"] == path.name
    if kind == "curve":
        sel = layer.voiced if "voiced_only" in keeps else slice(None)
        _close(back.times, layer.times[sel], tol)
        np.testing.assert_allclose(back.values, layer.values[sel], rtol=1e-7 if ext == ".svl" else 0)
        assert back.unit == (layer.unit if "unit" in keeps else "")
        if "confidence" in keeps:
            np.testing.assert_array_equal(back.confidence, layer.confidence)
            np.testing.assert_array_equal(back.voiced, layer.voiced)
    elif kind == "notes":
        order = np.lexsort((layer.pitches, layer.onsets))
        got = np.lexsort((back.pitches, back.onsets))
        _close(back.onsets[got], layer.onsets[order], tol)
        _close(back.offsets[got], layer.offsets[order], tol + 1e-9)
        want = layer.pitches[order] if "fractional" in keeps else np.round(layer.pitches[order])
        np.testing.assert_allclose(back.pitches[got], want, atol=1e-9)
        want_vel = layer.velocities[order] if "velocity" in keeps else np.full(len(layer), 100.0)
        np.testing.assert_allclose(back.velocities[got], want_vel, atol=1e-6)
    else:
        _close(back.starts, layer.starts, tol)
        _close(back.ends, layer.ends, tol)
        texts = back.labels if kind == "events" else back.texts
        want = layer.labels if kind == "events" else [" ".join(t.split()) for t in layer.texts]
        texts = [" ".join(t.split()) for t in texts] if ext == ".jams" else texts  # JAMS keeps or trims the ends
        assert list(texts) == list(want)
        if "confidence" in keeps:
            np.testing.assert_allclose(back.confidences, layer.confidences, rtol=1e-7)


def test_tags_matrix_and_matches_come_back(tmp_path, sample_layers):
    tags, matrix, matches = sample_layers["tags"], sample_layers["matrix"], sample_layers["matches"]
    for ext in (".csv", ".jams"):
        export_layer(tags, tmp_path / f"t{ext}")
        (back,) = import_layers(tmp_path / f"t{ext}")
        order = [back.labels.index(label) for label in tags.labels]
        np.testing.assert_array_equal(back.scores[order], tags.scores)
        np.testing.assert_array_equal(back.frame_times, tags.frame_times)
        np.testing.assert_array_equal(back.frame_scores[:, order], tags.frame_scores)
        assert back.frame_duration == tags.frame_duration
    for ext in (".csv", ".npz"):
        export_layer(matrix, tmp_path / f"m{ext}")
        (back,) = import_layers(tmp_path / f"m{ext}")
        np.testing.assert_array_equal(back.times, matrix.times)
        np.testing.assert_array_equal(back.bins, matrix.bins)
        np.testing.assert_allclose(back.values, matrix.values, rtol=1e-7)
        assert back.bin_unit == "Hz"
    export_layer(matches, tmp_path / "r.csv")
    (back,) = import_layers(tmp_path / "r.csv")
    assert [(m.item, m.title, m.score, m.transposition, m.tempo_ratio) for m in back.matches] == \
        [(m.item, m.title, m.score, m.transposition, m.tempo_ratio) for m in matches.matches]


def test_one_jams_with_every_layer_imports_all_annotations(tmp_path, sample_layers):
    layers = [sample_layers[k] for k in ("curve", "notes", "events", "segments", "words", "tags")]
    export_layers(layers, tmp_path / "all.jams")
    back = import_layers(tmp_path / "all.jams")
    assert [b.kind for b in back] == [layer.kind for layer in layers]
    assert [b.name for b in back] == [layer.name for layer in layers]


def test_words_and_segments_share_one_textgrid_as_two_tiers(tmp_path, sample_layers):
    export_layers([sample_layers["words"], sample_layers["segments"]], tmp_path / "talk.TextGrid")
    words, segments = import_layers(tmp_path / "talk.TextGrid")
    assert (words.kind, words.name) == ("words", "words")  # a tier called "words" reads back as Words
    assert (segments.kind, segments.name) == ("segments", "transcript")
    np.testing.assert_array_equal(words.starts, sample_layers["words"].starts)


def test_as_kind_swaps_labels_and_texts(sample_layers):
    ev = as_kind(sample_layers["words"], "events")
    assert ev.kind == "events" and ev.labels == sample_layers["words"].texts
    assert as_kind(ev, "words").texts == ev.labels and as_kind(sample_layers["curve"], "events").kind == "curve"


def test_sonic_visualisers_own_note_and_region_csv_exports(tmp_path):
    (tmp_path / "sv_notes.csv").write_text("TIME,VALUE,DURATION,LEVEL,LABEL\n0.5,60,0.25,0.5,\n1.0,62,0.5,1,\n")
    (notes,) = import_layers(tmp_path / "sv_notes.csv")
    assert notes.kind == "notes" and list(notes.offsets) == [0.75, 1.5] and list(notes.velocities) == [63.5, 127]
    (tmp_path / "sv_regions.csv").write_text("TIME,VALUE,DURATION,LABEL\n0.5,3,0.25,Dog\n")
    (ev,) = import_layers(tmp_path / "sv_regions.csv")
    assert ev.kind == "events" and ev.labels == ["Dog"] and list(ev.confidences) == [3.0]


def test_audacity_labels_with_spectral_lines_and_crlf(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"1.5\t2.25\tdog bark\r\n\\\t100.0\t2000.0\r\n3\t3\tclick\r\n")
    (ev,) = import_layers(tmp_path / "a.txt")
    assert ev.labels == ["dog bark", "click"] and list(ev.starts) == [1.5, 3.0] and list(ev.ends) == [2.25, 3.0]


@pytest.mark.parametrize("name, content, message", [
    ("x.csv", "a,b\n1,2\n", "not a layer"),
    ("x.txt", "1.0\tnot-a-number\tx\n", "line 1"),
    ("x.TextGrid", "hello", "not a Praat TextGrid"),
    ("x.svl", "<sv><data>", "Sonic Visualiser"),
    ("x.mid", "not midi", "MIDI"),
    ("x.vtt", "00:00.000 --> 00:01.000\nhi\n", "WEBVTT"),
    ("x.csv", "", "empty"),
    ("x.docx", "x", "annotation files are"),
])
def test_bad_files_are_one_clear_error(tmp_path, name, content, message):
    (tmp_path / name).write_text(content)
    with pytest.raises(WorkbenchError, match=message):
        import_layers(tmp_path / name)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(WorkbenchError, match="does not exist"):
        import_layers(tmp_path / "nothing.srt")
