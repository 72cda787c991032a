"""The Ray engine gives the same files as the local pool (and resumes the same job database); collection tables."""

from __future__ import annotations

import importlib.util

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from tests.plugins import synth

from .conftest import batch, outputs, write_glide

HAVE_RAY = importlib.util.find_spec("ray") is not None


@pytest.mark.skipif(not HAVE_RAY, reason="Ray is not installed (the optional extra: pip install '.[ray]')")
def test_ray_gives_the_same_files_as_the_local_pool_and_resumes(tmp_path):
    folder = tmp_path / "music"
    write_glide(folder / "song.wav", 200, 300)
    write_glide(folder / "song.mp3", 300, 200)
    write_glide(folder / "live" / "take.wav", 250, 260)
    common = [str(folder), "--plugin", "pitch", "--format", "csv", "--workers", "2"]
    local = batch(*common, "--out-dir", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr
    ray = batch(*common, "--out-dir", str(tmp_path / "ray"), "--engine", "ray")
    assert ray.returncode == 0, ray.stderr
    assert "3 done, 0 skipped (done before), 0 failed" in ray.stderr and "2 ray workers" in ray.stderr
    assert set(outputs(tmp_path / "ray")) == {"song.wav.csv", "song.mp3.csv", "live/take.csv"}
    assert outputs(tmp_path / "ray") == outputs(tmp_path / "local")  # byte for byte
    # the job database is the same: a Ray run resumes with either engine
    for engine in ("ray", "local"):
        again = batch(*common, "--out-dir", str(tmp_path / "ray"), "--engine", engine)
        assert again.returncode == 0 and "3 input files: 3 done before, 0 to do" in again.stderr, again.stderr


def test_events_of_the_whole_collection_in_one_table(tmp_path):
    folder = tmp_path / "recordings"
    folder.mkdir()
    speech, sr = synth.speech("This is the first recording of the day.", tmp_path / "s.wav")
    pad = np.zeros(int(0.7 * sr), np.float32)
    sf.write(folder / "talk.wav", np.concatenate([pad, speech, pad]), sr)
    sf.write(folder / "quiet.wav", np.zeros(2 * sr, np.float32), sr)
    (folder / "day2").mkdir()
    sf.write(folder / "day2" / "talk.wav", np.concatenate([speech, pad, speech]), sr)
    out = tmp_path / "out"
    run = batch(str(folder), "--plugin", "vad", "--out-dir", str(out), "--format", "csv", "--workers", "2")
    assert run.returncode == 0, run.stderr
    assert f"collection table: {out / 'collection.events.parquet'}" in run.stderr
    table = pd.read_parquet(out / "collection.events.parquet")
    assert {"file", "layer", "plugin", "start_s", "end_s", "label", "confidence"} <= set(table.columns)
    per_file = table.groupby("file").size().to_dict()
    assert set(per_file) == {"talk.wav", "day2/talk.wav"}  # silence: no events
    first = table[table.file == "talk.wav"]
    assert first.start_s.min() == pytest.approx(0.7, abs=0.25)  # the speech starts after 0.7 s of silence
    assert per_file["day2/talk.wav"] >= per_file["talk.wav"]
    # the table covers files done in earlier runs too
    write_glide(folder / "tone.wav", 200, 210)
    again = batch(str(folder), "--plugin", "vad", "--out-dir", str(out), "--format", "csv", "--table", "csv")
    assert again.returncode == 0 and "3 done before, 1 to do" in again.stderr, again.stderr
    assert set(pd.read_csv(out / "collection.events.csv").file) == {"talk.wav", "day2/talk.wav"}
