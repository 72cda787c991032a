"""The job queue: CPU jobs in parallel, one job at a time per GPU, failures isolated, partial results kept."""

import threading
import time

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.jobs import JobRunner, JobState
from workbench.core.layers import Curve


def _curve(n: int) -> Curve:
    t = np.arange(n) * 0.01
    return Curve(name="f0", times=t, values=np.full(n, 220.0, np.float32))


def test_cpu_jobs_run_at_the_same_time():
    runner = JobRunner(max_workers=4, device="cpu")
    both = threading.Barrier(2, timeout=10)  # each job returns only once the other one is running too
    jobs = [runner.submit(f"job {i}", lambda ctx: both.wait()) for i in range(2)]
    assert all(j.wait(15) for j in jobs)
    assert [j.state for j in jobs] == [JobState.DONE, JobState.DONE]
    runner.shutdown()


def test_gpu_jobs_wait_for_their_device_while_cpu_jobs_go_on():
    runner = JobRunner(max_workers=4, device="cpu")
    running, peak, lock = [0], [0], threading.Lock()
    release = threading.Event()

    def gpu_work(ctx):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(10)
        with lock:
            running[0] -= 1
        return ctx.device

    a = runner.submit("a", gpu_work, device="cuda:0")
    b = runner.submit("b", gpu_work, device="cuda:0")
    cpu = runner.submit("cpu", lambda ctx: "cpu done")  # not held up by the GPU queue
    assert cpu.wait(10) and cpu.result == "cpu done"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not (a.state == JobState.RUNNING or b.state == JobState.RUNNING):
        time.sleep(0.01)
    time.sleep(0.2)
    waiting = b if a.state == JobState.RUNNING else a
    assert waiting.state == JobState.QUEUED and waiting.text == "waiting for cuda:0"
    release.set()
    assert a.wait(10) and b.wait(10)
    assert a.state == b.state == JobState.DONE and peak[0] == 1
    runner.shutdown()


def test_a_failing_job_leaves_the_others_and_a_waiting_job_can_be_cancelled():
    runner = JobRunner(max_workers=4, device="cpu")
    hold = threading.Event()

    def fail(ctx):
        raise WorkbenchError("this input is bad")

    first = runner.submit("gpu long", lambda ctx: hold.wait(10), device="cuda:0")
    queued = runner.submit("gpu queued", lambda ctx: "never", device="cuda:0")
    bad = runner.submit("bad", fail)
    good = runner.submit("good", lambda ctx: 42)
    assert bad.wait(10) and good.wait(10)
    assert bad.state == JobState.FAILED and bad.error == "this input is bad"
    assert good.state == JobState.DONE and good.result == 42
    queued.cancel()
    assert queued.wait(5) and queued.state == JobState.CANCELLED and queued.result is None
    hold.set()
    assert first.wait(10) and first.state == JobState.DONE
    runner.shutdown()


def test_partial_results_arrive_while_running_and_survive_cancel():
    runner = JobRunner(max_workers=2, device="cpu")
    seen, go_on, listening = [], threading.Event(), threading.Event()

    def chunked(ctx):
        listening.wait(10)
        for i in range(1, 100):
            ctx.emit([_curve(10 * i)])
            if i == 3:
                go_on.wait(10)
            ctx.progress(i / 100)
        return [_curve(1000)]

    job = runner.submit("chunks", chunked)
    job.on_emit(lambda j: seen.append(len(j.partial[0].times)))
    listening.set()
    deadline = time.monotonic() + 5
    while len(seen) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen[:3] == [10, 20, 30] and job.state == JobState.RUNNING  # drawn before the job ends
    job.cancel()
    go_on.set()
    assert job.wait(10) and job.state == JobState.CANCELLED
    assert len(job.result) == 1 and len(job.result[0].times) == 30  # what was done stays
    runner.shutdown()
