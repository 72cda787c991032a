"""Natural export formats: every writer's file is read back with an independent reader and checked."""

from __future__ import annotations

import csv
import re

import mido
import numpy as np
import pytest
import soundfile as sf

from workbench.core.export import FORMATS, export_layer, supported_formats
from workbench.core.export.subtitles import timestamp
from workbench.core.layers import Segments, Words

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema.*")  # jams' validator


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def test_curve_csv_is_time_frequency_without_unvoiced_rows(tmp_path, sample_layers):
    curve = sample_layers["curve"]
    assert export_layer(curve, tmp_path / "f0.csv") == [tmp_path / "f0.csv"]
    header, rows = read_csv(tmp_path / "f0.csv")
    assert header == ["time", "value (Hz)"]  # Sonic Visualiser: a time column, then a value in Hz
    data = np.array(rows, dtype=float)
    np.testing.assert_array_equal(data[:, 0], curve.times[curve.voiced])
    np.testing.assert_array_equal(data[:, 1], curve.values[curve.voiced])
    assert (data[:, 1] > 0).all() and (np.diff(data[:, 0]) > 0).all()


def test_curve_without_voicing_keeps_every_row_and_its_unit(tmp_path, sample_layers):
    from workbench.core.layers import Curve

    curve = Curve(name="rms", times=[0.0, 0.5], values=[-20.5, -3.25], unit="dB")
    export_layer(curve, tmp_path / "rms.csv")
    header, rows = read_csv(tmp_path / "rms.csv")
    assert header == ["time", "value (dB)"] and rows == [["0.0", "-20.5"], ["0.5", "-3.25"]]


def test_curve_lab_is_time_tab_value_without_unvoiced_frames(tmp_path, sample_layers):
    curve = sample_layers["curve"]
    export_layer(curve, tmp_path / "f0.lab")
    lines = (tmp_path / "f0.lab").read_text().splitlines()
    assert len(lines) == curve.voiced.sum()
    data = np.array([line.split("\t") for line in lines], dtype=float)
    np.testing.assert_array_equal(data[:, 0], curve.times[curve.voiced])
    np.testing.assert_array_equal(data[:, 1], curve.values[curve.voiced])
    assert (data[:, 1] > 0).all()  # no drop to 0 Hz between notes


def test_notes_midi_times_pitches_and_velocities(tmp_path, sample_layers):
    notes = sample_layers["notes"]
    export_layer(notes, tmp_path / "n.mid")
    mid = mido.MidiFile(tmp_path / "n.mid")
    assert mid.ticks_per_beat == 480
    now, active, found = 0.0, {}, []
    tempos = []
    for msg in mid:  # iterating a MidiFile yields delta times in seconds
        now += msg.time
        if msg.type == "set_tempo":
            tempos.append(msg.tempo)
        elif msg.type == "note_on" and msg.velocity > 0:
            active.setdefault(msg.note, []).append((now, msg.velocity))
        elif msg.type in ("note_off", "note_on"):
            start, vel = active[msg.note].pop(0)
            found.append((start, now, msg.note, vel))
    assert tempos == [500000]
    found.sort()
    expected = sorted(zip(notes.onsets, notes.offsets, np.round(notes.pitches).astype(int), notes.velocities))
    assert len(found) == len(expected) == 4
    for (a, b, p, v), (ea, eb, ep, ev) in zip(found, expected):
        assert abs(a - ea) < 1e-3 and abs(b - eb) < 1e-3
        assert p == ep and v == int(ev)


def test_notes_csv_in_sonic_visualisers_column_order(tmp_path, sample_layers):
    notes = sample_layers["notes"]
    export_layer(notes, tmp_path / "n.csv")
    header, rows = read_csv(tmp_path / "n.csv")
    assert header == ["time", "value", "duration", "label"]  # SV's order for notes (no level column)
    data = np.array([r[:3] for r in rows], dtype=float)
    np.testing.assert_array_equal(data[:, 0], notes.onsets)
    np.testing.assert_array_equal(data[:, 1], notes.pitches)  # fractional MIDI pitch kept
    np.testing.assert_allclose(data[:, 2], notes.offsets - notes.onsets, atol=1e-12)
    assert [r[3] for r in rows] == ["C4", "E4+40c", "G4", "C3-40c"]


def test_events_csv_and_audacity_labels(tmp_path, sample_layers):
    ev = sample_layers["events"]
    export_layer(ev, tmp_path / "e.csv")
    header, rows = read_csv(tmp_path / "e.csv")
    assert header == ["start_s", "end_s", "label", "confidence"]
    assert rows == [["0.1", "0.6", "speech", "0.8"], ["0.9", "1.8", "music, loud", "0.55"]]
    export_layer(ev, tmp_path / "e.txt")
    lines = (tmp_path / "e.txt").read_text().splitlines()
    assert lines == ["0.1\t0.6\tspeech", "0.9\t1.8\tmusic, loud"]


def test_srt_timestamps_and_text(tmp_path):
    seg = Segments(name="t", starts=[0.0, 3725.5004, 7.2], ends=[1.25, 3726.0, 7.2],
                   texts=["first\nline", "second", "zero length"])
    export_layer(seg, tmp_path / "t.srt")
    text = (tmp_path / "t.srt").read_text()
    blocks = text.strip().split("\n\n")
    assert blocks[0] == "1\n00:00:00,000 --> 00:00:01,250\nfirst line"
    assert blocks[1] == "2\n01:02:05,500 --> 01:02:06,000\nsecond"
    assert blocks[2] == "3\n00:00:07,200 --> 00:00:07,201\nzero length"  # players drop empty cues


def test_vtt_header_timestamps_and_escaping(tmp_path, sample_layers):
    seg = sample_layers["segments"]
    export_layer(seg, tmp_path / "t.vtt")
    text = (tmp_path / "t.vtt").read_text(encoding="utf-8")
    assert text.startswith("WEBVTT\n\n")
    cues = re.findall(r"(\d\d:\d\d:\d\d\.\d\d\d) --> (\d\d:\d\d:\d\d\.\d\d\d)\n(.*)\n", text)
    assert cues == [("00:00:00.000", "00:00:01.000", "Hello, world &amp; &lt;friends&gt;."),
                    ("00:00:01.050", "00:00:02.200", "Ça va? 日本")]


def test_timestamp_rounding():
    assert timestamp(59.9996) == "00:01:00,000"
    assert timestamp(36000.001, ".") == "10:00:00.001"
    assert timestamp(-0.2) == "00:00:00,000"


def test_plain_text_for_segments_and_words(tmp_path, sample_layers):
    export_layer(sample_layers["segments"], tmp_path / "s.text")
    assert (tmp_path / "s.text").read_text(encoding="utf-8") == "Hello, world & <friends>.\nÇa va? 日本\n"
    export_layer(sample_layers["words"], tmp_path / "w.text")
    assert (tmp_path / "w.text").read_text() == "Hello, world again\n"


@pytest.mark.parametrize("kind", ["segments", "words"])
def test_transcripts_as_audacity_labels(tmp_path, sample_layers, kind):
    export_layer(sample_layers[kind], tmp_path / "t.txt")
    lines = (tmp_path / "t.txt").read_text(encoding="utf-8").splitlines()
    expected = {"segments": ["0.0\t1.0\tHello, world & <friends>.", "1.05\t2.2\tÇa va? 日本"],
                "words": ["0.0\t0.45\tHello,", "0.5\t1.0\tworld", "1.05\t1.4\tagain"]}
    assert lines == expected[kind]


def test_empty_transcript_is_still_a_subrip_file(tmp_path):
    import srt

    export_layer(Segments(name="nothing"), tmp_path / "e.srt")
    text = (tmp_path / "e.srt").read_text()
    assert text.strip() and list(srt.parse(text))[0].start.total_seconds() == 0.0


@pytest.mark.parametrize("kind", ["segments", "words"])
def test_segments_csv(tmp_path, sample_layers, kind):
    layer = sample_layers[kind]
    export_layer(layer, tmp_path / "s.csv")
    header, rows = read_csv(tmp_path / "s.csv")
    assert header == ["start_s", "end_s", "text", "confidence"]
    assert [r[2] for r in rows] == [t.strip() for t in layer.texts]
    np.testing.assert_array_equal(np.array([r[:2] for r in rows], float), np.stack([layer.starts, layer.ends], 1))


def test_tags_csv_sorted_by_score_with_frame_table(tmp_path, sample_layers):
    tags = sample_layers["tags"]
    written = export_layer(tags, tmp_path / "tags.csv")
    assert written == [tmp_path / "tags.csv", tmp_path / "tags_frames.csv"]
    header, rows = read_csv(tmp_path / "tags.csv")
    assert header == ["label", "score"]
    assert rows == [["Music", "0.91"], ["Speech", "0.2"], ["Dog", "0.05"]]
    header, rows = read_csv(tmp_path / "tags_frames.csv")
    assert header == ["time_s", "Speech", "Music", "Dog"]
    data = np.array(rows, dtype=float)
    np.testing.assert_array_equal(data[:, 0], tags.frame_times)
    np.testing.assert_array_equal(data[:, 1:], tags.frame_scores)


def test_matrix_csv_and_npz(tmp_path, sample_layers):
    m = sample_layers["matrix"]
    export_layer(m, tmp_path / "m.csv")
    header, rows = read_csv(tmp_path / "m.csv")
    assert header[0] == "time_s\\Hz"
    np.testing.assert_array_equal(np.array(header[1:], float), m.bins)
    data = np.array(rows, dtype=float)
    np.testing.assert_array_equal(data[:, 0], m.times)
    np.testing.assert_array_equal(data[:, 1:], m.values)
    assert export_layer(m, tmp_path / "m.npz") == [tmp_path / "m.npz"]
    with np.load(tmp_path / "m.npz") as z:
        np.testing.assert_array_equal(z["values"], m.values)
        np.testing.assert_array_equal(z["bins"], m.bins)
        np.testing.assert_array_equal(z["times"], m.times)
        assert str(z["bin_unit"]) == "Hz" and str(z["value_unit"]) == "salience"


def test_tracks_one_wav_per_track_with_exact_samples(tmp_path, sample_layers):
    tracks = sample_layers["tracks"]
    written = export_layer(tracks, tmp_path / "mix.wav")
    assert written == [tmp_path / "mix_vocals.wav", tmp_path / "mix_drums.wav"]
    for path, buf in zip(written, tracks.tracks.values()):
        data, sr = sf.read(path, dtype="float32", always_2d=True)
        assert sr == buf.sample_rate
        np.testing.assert_array_equal(data.T, buf.samples)


def test_single_track_goes_to_the_path_itself(tmp_path, sample_layers):
    from workbench.core.layers import Tracks

    buf = sample_layers["tracks"].tracks["drums"]
    assert export_layer(Tracks(name="tts", tracks={"speech": buf}), tmp_path / "s.flac") == [tmp_path / "s.flac"]
    data, sr = sf.read(tmp_path / "s.flac", dtype="float32")
    assert sr == buf.sample_rate and np.max(np.abs(data - buf.samples[0])) < 1e-6  # 24-bit FLAC


def test_matches_csv(tmp_path, sample_layers):
    export_layer(sample_layers["matches"], tmp_path / "m.csv")
    header, rows = read_csv(tmp_path / "m.csv")
    assert header == ["rank", "item", "title", "score", "transposition", "tempo_ratio"]
    assert rows == [["1", "lib/a.wav", "Song A", "0.83", "-2", "1.07"],
                    ["2", "lib/b.wav", "B, live", "0.41", "0", "1.0"]]


def test_supported_formats_lists_natural_format_first(sample_layers):
    assert supported_formats(sample_layers["curve"])[0] == ".csv"
    assert supported_formats(sample_layers["notes"])[0] == ".mid"
    assert supported_formats(sample_layers["words"])[:2] == [".srt", ".vtt"]
    assert supported_formats(sample_layers["tracks"])[0] == ".wav"
    for layer in sample_layers.values():
        formats = supported_formats(layer)
        assert ".jams" in formats and all(f.startswith(".") for f in formats)


def test_every_built_in_format_writes_a_nonempty_file(tmp_path, sample_layers):
    # (formats that plugins contribute may refuse layers they do not fit, e.g. chord .lab for a transcript)
    for kind, layer in sample_layers.items():
        for ext in FORMATS[kind]:
            written = export_layer(layer, tmp_path / f"{kind}{ext}")
            assert written and all(p.is_file() and p.stat().st_size > 0 for p in written), (kind, ext)
    assert not list(tmp_path.glob(".*tmp*"))  # no temporary files left behind


def test_words_subclass_uses_its_own_kind(sample_layers):
    assert isinstance(sample_layers["words"], Segments) and isinstance(sample_layers["words"], Words)
    assert FORMATS["words"] == FORMATS["segments"]
