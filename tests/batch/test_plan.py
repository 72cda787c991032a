"""Output names and what is to do, without running a model: the planner against a real job database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.batch.jobdb import JobDB, Record
from workbench.batch.local_engine import LocalEngine
from workbench.batch.plan import make_plan
from workbench.batch.run import _Ledger
from workbench.core.errors import WorkbenchError

from .conftest import write_glide


def _plan(folder: Path, out: Path, fmt: str = ".csv"):
    out.mkdir(exist_ok=True)
    with JobDB(out) as db:
        return make_plan(folder, out, db, "pitch", "{}", fmt)


def _bases(plan) -> dict[str, str]:
    return {item.rel: item.out_base for item in plan.todo}


def test_names_keep_the_extension_only_when_they_would_collide(tmp_path):
    for name in ("song.wav", "song.mp3", "a.wav", "a.WAV", "solo.wav", "sub/song.wav"):
        write_glide(tmp_path / "in" / name, 200, 210, seconds=0.2)
    plan = _plan(tmp_path / "in", tmp_path / "out")
    assert _bases(plan) == {"song.mp3": "song.mp3", "song.wav": "song.wav", "a.WAV": "a.WAV", "a.wav": "a.wav~2",
                            "solo.wav": "solo", "sub/song.wav": "sub/song"}
    assert plan.describe() == "6 input files: 0 done before, 6 to do (6 new)"


def test_a_name_given_once_stays_and_a_newcomer_never_takes_it(tmp_path):
    folder, out = tmp_path / "in", tmp_path / "out"
    wav = write_glide(folder / "song.wav", 200, 210, seconds=0.2)
    out.mkdir()
    with JobDB(out) as db:
        first = make_plan(folder, out, db, "pitch", "{}", ".csv")
        item = first.todo[0]
        assert item.out_base == "song"
        (out / "song.csv").write_text("result of the first run\n")
        db.own(["song.csv"])
        db.put(Record(rel="song.wav", size=item.size, mtime_ns=item.mtime_ns, hash=item.hash, plugin="pitch",
                      params="{}", format=".csv", out_base="song", status="done", outputs=["song.csv"]))
        write_glide(folder / "song.mp3", 300, 310, seconds=0.2)
        (folder / "Song.flac").write_bytes(wav.read_bytes())
        second = make_plan(folder, out, db, "pitch", "{}", ".csv")
    assert second.done_before == ["song.wav"]
    assert _bases(second) == {"Song.flac": "Song.flac", "song.mp3": "song.mp3"}


def test_results_beside_the_inputs_never_take_an_input_or_user_name(tmp_path):
    folder = tmp_path / "in"
    write_glide(folder / "voice.wav", 200, 210, seconds=0.2)
    write_glide(folder / "voice.wav.wav", 200, 210, seconds=0.2)
    (folder / "notes.csv").write_text("mine\n")
    write_glide(folder / "notes.wav", 200, 210, seconds=0.2)
    plan = _plan(folder, folder, ".wav")  # e.g. separation into the input folder itself
    targets = {b + ".wav" for b in _bases(plan).values()}
    assert not targets & {"voice.wav", "voice.wav.wav", "notes.wav"}
    assert len(targets) == 3
    plan = _plan(folder, folder, ".csv")
    assert _bases(plan)["notes.wav"] != "notes"  # notes.csv is the user's


def test_the_output_folder_inside_the_inputs_is_not_an_input(tmp_path):
    folder = tmp_path / "in"
    write_glide(folder / "x.wav", 200, 210, seconds=0.2)
    write_glide(folder / "results" / "x_vocals.wav", 200, 210, seconds=0.2)  # a result of an earlier batch
    plan = _plan(folder, folder / "results")
    assert plan.inputs == ["x.wav"]


def test_a_result_never_replaces_a_file_the_batch_did_not_write(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.csv").write_text("user data\n")
    with JobDB(out) as db:
        db.own(["b.csv"])
        db.put(Record(rel="b.wav", status="done", outputs=["b.csv"], out_base="b"))
        ledger = _Ledger(db, set())
        a = type("I", (), {"rel": "a.wav"})()
        assert "was not written by this batch" in ledger.problem(out, a, ["mine.csv"])
        assert "would replace the result of 'b.wav'" in ledger.problem(out, a, ["B.csv"])
        assert ledger.problem(out, a, ["a.csv"]) is None
        assert json.loads(db.db.execute("SELECT outputs FROM inputs").fetchone()[0]) == ["b.csv"]


def test_a_worker_that_dies_fails_only_its_file():
    engine = LocalEngine(2, "cpu", 1)
    try:
        tasks = [(0, "tests.batch.tasks:echo", {"value": 1}), (1, "tests.batch.tasks:die", {}),
                 (2, "tests.batch.tasks:echo", {"value": 3}), (3, "tests.batch.tasks:echo", {"value": 4})]
        results = dict(engine.run(tasks))
    finally:
        engine.close()
    assert results[1]["ok"] is False and "exit code 3" in results[1]["error"]
    assert [results[k]["value"] for k in (0, 2, 3)] == [2, 6, 8]
    assert {results[k]["device"] for k in (0, 2, 3)} == {"cpu"}


def test_one_batch_at_a_time_writes_into_an_output_folder(tmp_path):
    with JobDB(tmp_path):
        with pytest.raises(WorkbenchError, match="Another batch is writing"):
            JobDB(tmp_path)
    JobDB(tmp_path).close()  # free again once the first one closed
