"""The peers' own parsers read our files: jams, srt, webvtt-py, the `textgrid` package, and the structure that
Sonic Visualiser's layer-file reader and CSV import guesser expect (their rules are restated below)."""

from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from workbench.core.export import export_layer, export_layers
from workbench.core.layers import Events, Tags

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:jsonschema.*")


def test_jams_validates_and_yamnet_tags_use_the_audioset_namespace(tmp_path, sample_layers):
    import jams

    sed = Events(name="sound events", starts=[0.5], ends=[1.5], labels=["Dog"], confidences=[0.7],
                 metadata={"jams_namespace": "tag_audioset"})
    tags = Tags(name="AudioSet tags", labels=["Speech", "Music"], scores=[0.9, 0.1],
                metadata={"jams_namespace": "tag_audioset"})
    odd = Events(name="groups", starts=[0.0], ends=[1.0], labels=["vehicles (any)"],
                 metadata={"jams_namespace": "tag_audioset"})  # not an AudioSet class: stays tag_open
    layers = [sample_layers[k] for k in ("curve", "notes", "events", "segments", "words")] + [sed, tags, odd]
    export_layers(layers, tmp_path / "all.jams")
    jam = jams.load(str(tmp_path / "all.jams"), validate=True, strict=True)
    assert [a.namespace for a in jam.annotations][-3:] == ["tag_audioset", "tag_audioset", "tag_open"]


def test_srt_and_webvtt_parsers_read_our_cues(tmp_path, sample_layers):
    import srt
    import webvtt

    seg = sample_layers["segments"]
    export_layer(seg, tmp_path / "t.srt")
    export_layer(seg, tmp_path / "t.vtt")
    subs = list(srt.parse((tmp_path / "t.srt").read_text(encoding="utf-8")))
    assert [s.content for s in subs] == [" ".join(t.split()) for t in seg.texts]
    assert [s.start.total_seconds() for s in subs] == list(seg.starts)
    captions = webvtt.read(str(tmp_path / "t.vtt"))
    assert [c.start for c in captions] == ["00:00:00.000", "00:00:01.050"]
    assert captions[0].text == "Hello, world &amp; &lt;friends&gt;."  # webvtt-py keeps entities as written


def test_textgrid_parser_reads_words_and_segments_as_interval_tiers(tmp_path, sample_layers):
    import textgrid

    export_layers([sample_layers["words"], sample_layers["segments"]], tmp_path / "talk.TextGrid")
    tg = textgrid.TextGrid.fromFile(str(tmp_path / "talk.TextGrid"))
    assert [t.name for t in tg.tiers] == ["words", "transcript"]
    words = [(float(i.minTime), float(i.maxTime), i.mark) for i in tg.tiers[0] if i.mark]
    assert words == [(0.0, 0.45, "Hello,"), (0.5, 1.0, "world"), (1.05, 1.4, "again")]
    for tier in tg.tiers:  # Praat: intervals tile the tier with no gap and no overlap
        bounds = [(float(i.minTime), float(i.maxTime)) for i in tier]
        assert bounds[0][0] == 0.0 and all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
        assert bounds[-1][1] == pytest.approx(2.2)


def test_textgrid_quotes_and_overlaps(tmp_path):
    import textgrid

    from workbench.core.layers import Segments

    seg = Segments(name="s", starts=[0.0, 0.8], ends=[1.0, 1.5], texts=['say "hi"', "overlap"])
    export_layer(seg, tmp_path / "s.TextGrid")
    tier = textgrid.TextGrid.fromFile(str(tmp_path / "s.TextGrid")).tiers[0]
    assert [(float(i.minTime), float(i.maxTime), i.mark) for i in tier] == \
        [(0.0, 1.0, 'say "hi"'), (1.0, 1.5, "overlap")]  # the later entry starts when the earlier ends


# ----- Sonic Visualiser ---------------------------------------------------------------------------
SV_LAYER_TYPES = {"timevalues": ("2", ""), "notes": ("3", "note"), "regions": ("3", "region")}


def _check_svl(path):
    """What SV's SVFileReader needs: an <sv> root, a sparse model with sampleRate (and resolution for 2/3
    dimensions) whose dataset id has a <dataset>, integer point frames, and a layer naming the model."""
    root = ET.parse(path).getroot()
    assert root.tag == "sv" and (path.read_text().splitlines()[1] == "<!DOCTYPE sonic-visualiser>")
    (model,) = root.find("data").findall("model")
    (dataset,) = root.find("data").findall("dataset")
    (layer,) = root.find("display").findall("layer")
    assert model.get("type") == "sparse" and float(model.get("sampleRate")) > 0 and int(model.get("resolution")) >= 1
    assert dataset.get("id") == model.get("dataset") and dataset.get("dimensions") == model.get("dimensions")
    assert layer.get("model") == model.get("id")
    dims, subtype = SV_LAYER_TYPES[layer.get("type")]
    assert model.get("dimensions") == dims and model.get("subtype", "") == subtype
    points = dataset.findall("point")
    frames = [int(p.get("frame")) for p in points]  # int() fails on "1.5": SV would drop such a point
    return model, layer, points, frames


def test_svl_pitch_is_a_discrete_curve_in_hz_with_gaps(tmp_path, sample_layers, sample_audio):
    curve = sample_layers["curve"]
    export_layer(curve, tmp_path / "f0.svl", sample_audio)
    model, layer, points, frames = _check_svl(tmp_path / "f0.svl")
    assert layer.get("type") == "timevalues" and layer.get("plotStyle") == "6"  # "Discrete Curves"
    assert model.get("units") == "Hz" and model.get("sampleRate") == str(sample_audio.sample_rate)
    assert len(points) == curve.voiced.sum() and all(float(p.get("value")) > 0 for p in points)
    assert int(model.get("resolution")) == 160  # 10 ms hop at 16 kHz: SV breaks the line at 2 hops


def test_svl_notes_and_regions(tmp_path, sample_layers):
    export_layer(sample_layers["notes"], tmp_path / "n.svl")
    model, layer, points, frames = _check_svl(tmp_path / "n.svl")
    assert layer.get("type") == "notes" and model.get("units") == "MIDI Pitch"
    assert frames == [round(t * 44100) for t in sample_layers["notes"].onsets]
    assert [float(p.get("value")) for p in points] == list(sample_layers["notes"].pitches)
    assert all(0 < float(p.get("level")) <= 1 for p in points)  # SV's note level is 0..1
    for kind in ("events", "words"):
        export_layer(sample_layers[kind], tmp_path / f"{kind}.svl")
        model, layer, points, _ = _check_svl(tmp_path / f"{kind}.svl")
        assert layer.get("type") == "regions" and points[0].get("label") in ("speech", "Hello,")


def sv_guess(path):
    """Sonic Visualiser's CSV import guess with its default choices (svcore CSVFormat::guessPurposes):
    a first row with no number is a header; a column headed time/duration/endtime, or numeric and increasing,
    is timing, unless headed value/height/label; then with a duration: one value column -> regions, two ->
    boxes (a note layer only when the user picks "Pitch"); without: one value column -> a time-value layer.
    Checked against Sonic Visualiser 4.5.1 under Xvfb for the files these tests write."""
    rows = list(csv.reader(path.read_text().splitlines()))

    def numeric(s):
        try:
            float(s)
            return True
        except ValueError:
            return False

    header = rows[0] if not any(numeric(c) for c in rows[0]) else None
    body = rows[1:] if header else rows
    purposes, units = [], {}
    for i in range(len(body[0])):
        col = [r[i] for r in body]
        heading = header[i].split(" ")[0].lower() if header else ""
        is_num = all(numeric(c) for c in col)
        timing = is_num and all(float(b) > float(a) for a, b in zip(col, col[1:]))
        timing = (timing or heading in ("time", "frame", "duration", "endtime")) and \
            heading not in ("value", "height", "label")
        if header and heading == "frequency":
            units[i] = "Hz"
        elif header and header[i].endswith(")") and "(" in header[i]:
            units[i] = header[i].rsplit("(", 1)[1][:-1]  # used when SV knows the unit already
        if timing and heading == "duration":
            purposes.append("duration")
        elif timing and (i == 0 or heading == "time"):
            purposes.append("start")
        elif timing and purposes.count("start") == 1 and "end" not in purposes:
            purposes.append("end")
        elif heading != "label" and is_num:
            purposes.append("value")
        else:
            purposes.append("label")
    if "duration" in purposes or "end" in purposes:  # the dialog's choice (svgui CSVFormatDialog)
        model = {1: "regions", 2: "boxes"}.get(purposes.count("value"), "regions")
    else:
        model = {0: "instants", 1: "time-value"}.get(purposes.count("value"), "3d")
    return model, purposes, units


def test_sv_guesses_a_time_value_layer_in_hz_for_our_pitch_csv(tmp_path, sample_layers):
    export_layer(sample_layers["curve"], tmp_path / "f0.csv")
    model, purposes, units = sv_guess(tmp_path / "f0.csv")
    assert (model, purposes, units) == ("time-value", ["start", "value"], {1: "Hz"})
    assert (np.diff(sample_layers["curve"].values[sample_layers["curve"].voiced]) > 0).all()  # a rising glide
    # what we wrote before: the extra confidence and voiced columns made SV pick a colour 3D plot
    (tmp_path / "old.csv").write_text("time_s,value,confidence,voiced\n0.0,0.0,0.1,0\n0.01,220.0,0.9,1\n"
                                      "0.02,221.0,0.9,1\n")
    assert sv_guess(tmp_path / "old.csv")[0] == "3d"


def test_sv_reads_our_notes_csv_as_regions_at_the_pitch_even_for_chords(tmp_path, sample_layers):
    notes = sample_layers["notes"]
    assert len(set(notes.onsets)) < len(notes)  # a chord: repeated onsets
    export_layer(notes, tmp_path / "n.csv")
    model, purposes, _ = sv_guess(tmp_path / "n.csv")
    assert model == "regions" and purposes == ["start", "value", "duration", "label"]
    rows = list(csv.reader((tmp_path / "n.csv").read_text().splitlines()))[1:]
    np.testing.assert_allclose([float(r[2]) for r in rows], notes.offsets - notes.onsets)
    # SV's own order with its level column makes SV 4.5 guess boxes; what we wrote before made a 3D plot
    (tmp_path / "lvl.csv").write_text("time,value,duration,level,label\n0.5,60,1,0.7,C4\n0.5,64,1,0.7,E4\n")
    assert sv_guess(tmp_path / "lvl.csv")[0] == "boxes"
    (tmp_path / "old.csv").write_text("onset_s,offset_s,pitch_midi,velocity\n0.5,1.5,60,90\n0.5,1.5,64,90\n"
                                      "2.0,3.0,62,90\n")
    assert sv_guess(tmp_path / "old.csv")[0] == "3d"
