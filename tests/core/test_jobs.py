"""The job runner: results, progress, cancellation within a second, plugin errors contained."""

import threading
import time

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError
from workbench.core.jobs import JobRunner, JobState

from .sample_plugins import BROKEN, MISSING, RMS, SLOW


@pytest.fixture
def runner():
    r = JobRunner(max_workers=2, device="cpu")
    yield r
    r.shutdown()


@pytest.fixture
def audio():
    sr = 8000
    t = np.arange(sr) / sr
    return AudioBuffer(np.sin(2 * np.pi * 100 * t) * np.linspace(0, 1, sr), sr)


def test_plugin_job_returns_layers_and_progress(runner, audio):
    seen = []
    job = runner.submit_plugin(RMS, audio, {"frame_s": 0.1})
    job.on_progress(lambda j: seen.append(j.fraction))
    assert job.wait(10)
    assert job.state is JobState.DONE, job.error
    (curve,) = job.result
    assert curve.source == "test-rms" and len(curve.values) == 10
    assert np.all(np.diff(curve.values) > 0)  # the fade-in raises the RMS frame by frame
    done = threading.Event()
    job.on_done(lambda j: done.set())  # already finished: called at once
    assert done.is_set()


def test_bad_parameters_fail_before_the_job_starts(runner, audio):
    with pytest.raises(InvalidParameterError, match="frame_s"):
        runner.submit_plugin(RMS, audio, {"frame_s": 5})
    with pytest.raises(InvalidParameterError, match="Unknown parameter"):
        runner.submit_plugin(RMS, audio, {"frmae_s": 0.1})


def test_cancel_stops_within_a_second(runner, audio):
    started = threading.Event()
    job = runner.submit_plugin(SLOW, audio, {"steps": 100000})
    job.on_progress(lambda j: started.set())
    assert started.wait(10)
    t0 = time.monotonic()
    job.cancel()
    assert job.wait(1.0), "job did not stop within 1 s of cancel"
    assert time.monotonic() - t0 < 1.0
    assert job.state is JobState.CANCELLED


def test_cancelled_before_start_never_runs(audio):
    r = JobRunner(max_workers=1, device="cpu")
    blocker = r.submit_plugin(SLOW, audio, {"steps": 50})
    queued = r.submit_plugin(SLOW, audio, {"steps": 50})
    queued.cancel()
    assert queued.wait(5) and queued.state is JobState.CANCELLED
    assert blocker.wait(5) and blocker.state is JobState.DONE
    r.shutdown()


def test_plugin_that_raises_becomes_a_message(runner, audio):
    job = runner.submit_plugin(BROKEN, audio, {})
    assert job.wait(10)
    assert job.state is JobState.FAILED
    assert "Plugin 'test-broken' failed" in job.error and "KeyError" in job.error
    assert "Traceback" in job.details
    # the runner keeps working after a failure
    ok = runner.submit_plugin(RMS, audio, {})
    assert ok.wait(10) and ok.state is JobState.DONE


def test_plugin_whose_code_is_missing(runner, audio):
    job = runner.submit_plugin(MISSING, audio, {})
    assert job.wait(10) and job.state is JobState.FAILED
    assert "does_not_exist" in job.error


def test_faulty_listener_does_not_kill_the_job(runner, audio):
    job = runner.submit_plugin(RMS, audio, {})
    job.on_progress(lambda j: 1 / 0)
    assert job.wait(10) and job.state is JobState.DONE
