"""`workbench batch` end to end with the real pitch plugin: resumable runs, colliding names, failures, Ctrl-C."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys

import pytest

from .conftest import ENV, WORKBENCH, batch, f0_mean, outputs, write_glide


def test_second_run_redoes_nothing_and_names_never_collide(collection, tmp_path):
    out = tmp_path / "results"
    (collection / "broken.wav").write_text("not audio at all\n" * 10)
    first = batch(str(collection), "--plugin", "pitch", "--out-dir", str(out), "--format", "csv", "--workers", "2")
    assert first.returncode == 1, first.stderr  # one input failed: not a success
    assert "6 input files: 0 done before, 6 to do" in first.stderr
    assert "5 done, 0 skipped (done before), 1 failed" in first.stderr
    assert "failed: broken.wav: Cannot open" in first.stderr and "Traceback" not in first.stderr
    results = outputs(out)
    # every input has its own result, the tree is mirrored, and each result is that input's pitch
    # a.wav / a.WAV: distinct even on a case-insensitive disk (the second in sorted order gets ~2)
    assert set(results) == {"song.wav.csv", "song.mp3.csv", "a.WAV.csv", "a.wav~2.csv", "live/take1.csv"}
    assert f0_mean(results["song.wav.csv"]) == pytest.approx(245, rel=0.05)  # 200 -> 300 Hz glide
    assert f0_mean(results["song.mp3.csv"]) == pytest.approx(245, rel=0.05)
    assert f0_mean(results["a.wav~2.csv"]) == pytest.approx(164, rel=0.05)  # a.wav: 150 -> 180 Hz
    assert f0_mean(results["a.WAV.csv"]) == pytest.approx(410, rel=0.05)
    stamps = {p: (out / p).stat().st_mtime_ns for p in results}

    (collection / "broken.wav").unlink()
    second = batch(str(collection), "--plugin", "pitch", "--out-dir", str(out), "--format", "csv", "--workers", "2")
    assert second.returncode == 0, second.stderr
    assert "5 input files: 5 done before, 0 to do" in second.stderr
    assert "0 done, 5 skipped (done before), 0 failed" in second.stderr
    assert {p: (out / p).stat().st_mtime_ns for p in results} == stamps  # nothing rewritten

    write_glide(collection / "song.wav", 500, 520)  # changed content: only this one is redone
    (collection / "a.wav").touch()  # touched, same content: not redone
    write_glide(collection / "song.flac", 220, 230)  # new: song.flac.csv, never song.csv or another's name
    third = batch(str(collection), "--plugin", "pitch", "--out-dir", str(out), "--format", "csv")
    assert third.returncode == 0, third.stderr
    assert "6 input files: 4 done before, 2 to do (1 changed, 1 new)" in third.stderr or \
        "6 input files: 4 done before, 2 to do (1 new, 1 changed)" in third.stderr
    now = outputs(out)
    assert f0_mean(now["song.wav.csv"]) == pytest.approx(510, rel=0.05)
    assert f0_mean(now["song.flac.csv"]) == pytest.approx(225, rel=0.05)
    assert f0_mean(now["song.mp3.csv"]) == pytest.approx(245, rel=0.05)
    assert {p: (out / p).stat().st_mtime_ns for p in results if p != "song.wav.csv"} == \
        {p: t for p, t in stamps.items() if p != "song.wav.csv"}


def test_results_beside_the_inputs_never_replace_a_file(tmp_path):
    folder = tmp_path / "takes"
    write_glide(folder / "take.wav", 200, 210)
    (folder / "take.csv").write_text("my own notes, not a batch result\n")
    audio_before = (folder / "take.wav").read_bytes()
    run = batch(str(folder), "--plugin", "pitch", "--out-dir", str(folder), "--format", "csv")
    assert run.returncode == 0, run.stderr
    assert (folder / "take.csv").read_text() == "my own notes, not a batch result\n"
    assert (folder / "take.wav").read_bytes() == audio_before
    assert f0_mean((folder / "take.wav.csv").read_bytes()) == pytest.approx(205, rel=0.05)


def test_bad_usage_is_exit_code_2(collection, tmp_path):
    run = batch(str(collection), "--plugin", "pitch", "--out-dir", str(tmp_path / "o"), "--format", "srt")
    assert run.returncode == 2 and run.stderr.startswith("error:") and "--format" in run.stderr, run.stderr
    assert not (tmp_path / "o").exists()  # refused before anything was made
    run = batch(str(tmp_path / "nowhere"), "--plugin", "pitch", "--out-dir", str(tmp_path / "o"))
    assert run.returncode == 2 and "is not a folder" in run.stderr


def test_ctrl_c_keeps_finished_results_and_a_consistent_database(tmp_path):
    folder, out = tmp_path / "many", tmp_path / "out"
    for n in range(6):
        write_glide(folder / f"t{n}.wav", 200 + 20 * n, 210 + 20 * n, seconds=1.5)
    exe = [str(WORKBENCH)] if WORKBENCH.is_file() else [sys.executable, "-m", "workbench"]
    proc = subprocess.Popen([*exe, "batch", str(folder), "--plugin", "pitch", "--out-dir", str(out), "--format",
                             "csv"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    first_line = proc.stdout.readline()  # the first file is committed
    assert "->" in first_line, proc.stderr.read()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "not run (interrupted)" in err and "Traceback" not in err
    with sqlite3.connect(out / ".workbench-batch.sqlite") as db:
        rows = db.execute("SELECT rel, status, outputs FROM inputs").fetchall()
    done = [r for r in rows if r[1] == "done"]
    assert done and len(done) < 6 and all(r[1] in ("done", "writing") for r in rows)
    for rel, _, outs in done:
        assert (out / outs.strip('[]"')).is_file()
    assert not (out / ".workbench-batch-tmp").exists()
    again = batch(str(folder), "--plugin", "pitch", "--out-dir", str(out), "--format", "csv", "--workers", "2")
    assert again.returncode == 0, again.stderr
    assert f"6 input files: {len(done)} done before, {6 - len(done)} to do" in again.stderr
    assert len(outputs(out)) == 6
