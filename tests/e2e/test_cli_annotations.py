"""Annotations on the command line, as a user runs them: times from the file's start with --start/--end, the
Sonic Visualiser and Praat formats, `workbench convert`, and unknown sub-commands."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.plugins import synth

WORKBENCH = Path(sys.executable).parent / "workbench"
ENV = os.environ | {"OMP_NUM_THREADS": "1"}


def workbench(*args: str) -> subprocess.CompletedProcess:
    exe = [str(WORKBENCH)] if WORKBENCH.is_file() else [sys.executable, "-m", "workbench"]
    return subprocess.run([*exe, *args], capture_output=True, text=True, timeout=300, env=ENV)


@pytest.fixture(scope="module")
def glide(tmp_path_factory):
    """6 s of a harmonic glide 150 -> 300 Hz at 16 kHz: (path, truth f0 per sample, rate)."""
    sr = 16000
    x, f0 = synth.glide(150.0, 300.0, 6.0, sr)
    path = tmp_path_factory.mktemp("glide") / "glide.wav"
    sf.write(path, x, sr)
    return path, f0, sr


def test_pitch_of_a_part_has_times_from_the_file_start(tmp_path, glide):
    path, f0, sr = glide
    out = workbench("analyze", str(path), "--plugin", "pitch", "--start", "4", "--end", "5.5",
                    "--out", str(tmp_path / "f0.jams"))
    assert out.returncode == 0, out.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jams

        jam = jams.load(str(tmp_path / "f0.jams"), validate=True)
    assert jam.file_metadata.duration == pytest.approx(6.0)  # the file's duration, not the part's
    obs = [o for o in jam.annotations[0].data if o.value["voiced"]]
    times = np.array([o.time for o in obs])
    values = np.array([o.value["frequency"] for o in obs])
    assert times.min() >= 4.0 - 1e-9 and times.max() <= 5.5 + 1e-9 and len(times) > 100
    truth = np.interp(times, np.arange(len(f0)) / sr, f0)  # right time <=> right pitch on a glide
    assert np.median(np.abs(1200 * np.log2(values / truth))) < 20


def test_pitch_to_svl_and_csv_for_sonic_visualiser(tmp_path, glide):
    path, _, sr = glide
    out = workbench("analyze", str(path), "--plugin", "pitch", "--start", "4", "--end", "5",
                    "--out", str(tmp_path / "f0.svl"))
    assert out.returncode == 0, out.stderr
    import xml.etree.ElementTree as ET

    root = ET.parse(tmp_path / "f0.svl").getroot()
    model, layer = root.find("data/model"), root.find("display/layer")
    assert (model.get("units"), model.get("sampleRate"), layer.get("type")) == ("Hz", str(sr), "timevalues")
    frames = [int(p.get("frame")) for p in root.iter("point")]
    assert frames and min(frames) >= 4 * sr and max(frames) <= 5 * sr
    out = workbench("convert", str(tmp_path / "f0.svl"), str(tmp_path / "f0.csv"))
    assert out.returncode == 0, out.stderr
    rows = list(csv.reader((tmp_path / "f0.csv").read_text().splitlines()))
    assert rows[0] == ["time", "value (Hz)"] and len(rows) - 1 == len(frames)
    assert float(rows[1][0]) == pytest.approx(frames[0] / sr)


def test_asr_words_to_textgrid(tmp_path):
    import textgrid

    synth.speech("Hello world, this is a test.", tmp_path / "talk.wav")
    out = workbench("analyze", str(tmp_path / "talk.wav"), "--plugin", "asr", "--out",
                    str(tmp_path / "words.TextGrid"))
    assert out.returncode == 0, out.stderr
    tg = textgrid.TextGrid.fromFile(str(tmp_path / "words.TextGrid"))
    names = [t.name for t in tg.tiers]
    assert len(names) == 2 and any("word" in n.lower() for n in names)  # sentences and words, one tier each
    words = [i.mark.strip(",.").lower() for t in tg.tiers if "word" in t.name.lower() for i in t if i.mark]
    assert "hello" in words and "test" in words


def test_convert_labels_to_jams_and_back_keeps_milliseconds(tmp_path):
    (tmp_path / "labels.txt").write_text("4.0\t6.64\tDog\n7.123\t8.5\tSpeech\n")
    assert workbench("convert", str(tmp_path / "labels.txt"), str(tmp_path / "labels.jams")).returncode == 0
    out = workbench("convert", str(tmp_path / "labels.jams"), str(tmp_path / "back.txt"))
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "back.txt").read_text() == "4.0\t6.64\tDog\n7.123\t8.5\tSpeech\n"
    out = workbench("convert", str(tmp_path / "labels.txt"), str(tmp_path / "labels.srt"))
    assert out.returncode == 0 and "00:00:07,123 --> 00:00:08,500\nSpeech" in (tmp_path / "labels.srt").read_text()


def test_convert_refuses_to_overwrite_its_input_and_unknown_formats(tmp_path):
    (tmp_path / "a.txt").write_text("1\t2\tx\n")
    out = workbench("convert", str(tmp_path / "a.txt"), str(tmp_path / "a.txt"))
    assert out.returncode == 2 and out.stderr.startswith("error:")
    assert (tmp_path / "a.txt").read_text() == "1\t2\tx\n"
    out = workbench("convert", str(tmp_path / "a.txt"), str(tmp_path / "a.mid"))
    assert out.returncode == 2 and "Cannot export" in out.stderr and "Traceback" not in out.stderr


def test_unknown_subcommand_prints_usage_and_exits_2(tmp_path):
    out = workbench("frobnicate", "a", "b")
    assert out.returncode == 2 and "usage:" in out.stderr and "invalid choice" in out.stderr
    out = workbench(str(tmp_path / "missing.wav"))  # not a file: a usage error, not a GUI that cannot start
    assert out.returncode == 2 and "usage:" in out.stderr


@pytest.fixture(scope="module")
def late_speech(tmp_path_factory):
    """3 s of quiet noise, then espeak-ng speech, then 1 s of quiet: (path, where the speech starts)."""
    folder = tmp_path_factory.mktemp("speech")
    x, sr = synth.speech("We are going for a walk in the park this afternoon.", folder / "s.wav")
    rng = np.random.default_rng(1)
    quiet = lambda s: (0.001 * rng.standard_normal(int(s * sr))).astype(np.float32)  # noqa: E731
    sf.write(folder / "late.wav", np.concatenate([quiet(3.0), x, quiet(1.0)]), sr)
    return folder / "late.wav", 3.0


def test_sound_events_of_a_part_are_labelled_in_file_time(tmp_path, late_speech):
    path, onset = late_speech
    out = workbench("analyze", str(path), "--plugin", "sed", "--start", "2", "--out", str(tmp_path / "e.txt"))
    assert out.returncode == 0, out.stderr
    rows = [line.split("\t") for line in (tmp_path / "e.txt").read_text().splitlines()]
    speech = [(float(a), float(b)) for a, b, label in rows if label == "Speech"]
    assert speech and all(float(a) >= 2.0 for a, _, _ in rows)
    assert abs(speech[0][0] - onset) < 0.6, rows  # the speech starts 3 s into the file, not 1 s into the part


def test_yamnet_tags_are_written_in_the_audioset_namespace(tmp_path, late_speech):
    path, _ = late_speech
    out = workbench("analyze", str(path), "--plugin", "audioset", "--out", str(tmp_path / "tags.jams"))
    assert out.returncode == 0, out.stderr
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import jams

        jam = jams.load(str(tmp_path / "tags.jams"), validate=True, strict=True)
    (ann,) = jam.annotations
    assert ann.namespace == "tag_audioset" and "Speech" in [o.value for o in ann.data]
