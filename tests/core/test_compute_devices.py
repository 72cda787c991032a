"""Where work really runs: device metadata on every layer, the CPU fall-back when CUDA fails, the one model
cache, the device check. This machine has no GPU, so asking for "cuda" makes the real runtimes (torch,
CTranslate2) fail for real; nothing fakes the inference."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.model_cache import ModelCache
from workbench.core.models import default_store
from workbench.core.plugin_api import JobContext, run_process
from workbench.core.registry import default_registry

from .sample_plugins import RMS

SR = 16000


def _voice(seconds=1.5, f0=220.0):
    t = np.arange(int(seconds * SR)) / SR
    x = sum(0.3 / k * np.sin(2 * np.pi * k * f0 * t) for k in range(1, 6))
    return AudioBuffer(x[None].astype(np.float32), SR, name="voice")


def test_every_layer_records_plugin_version_device_and_time():
    ctx = JobContext(device="cpu")
    (layer,) = run_process(RMS, _voice(), {"frame_s": 0.05}, ctx)
    meta = layer.metadata
    assert meta["plugin"] == "test-rms" and meta["plugin_version"] == RMS.version
    assert meta["device"] == "cpu" and meta["device_requested"] == "cpu"
    assert meta["seconds"] >= 0
    assert ctx.summary.startswith("ran on cpu in ")


def test_cuda_failure_falls_back_to_the_cpu_and_says_so():
    """No GPU here: torch really fails to move FCPE to 'cuda'; the run must end on the CPU, with a note."""
    import torch

    assert not torch.cuda.is_available()
    manifest = default_registry().get("pitch")
    ctx = JobContext(device="cuda", models=default_store())
    layers = run_process(manifest, _voice(), {"model": "fcpe", "fmin": 50.0, "fmax": 1100.0, "threshold": 0.5,
                                               "hop_ms": 10.0}, ctx)
    curve = layers[0]
    assert curve.metadata["device"] == "cpu" and curve.metadata["device_requested"] == "cuda"
    assert any("ran on the CPU instead" in n for n in curve.metadata["notes"])
    assert "ran on cpu" in ctx.summary and "CUDA failed" in ctx.summary
    voiced = curve.values[curve.voiced]
    assert abs(np.median(voiced) - 220.0) < 5.0  # a real result, not an empty one


def test_whisper_on_a_missing_gpu_transcribes_on_the_cpu(speech_clip):
    """CTranslate2 really refuses 'cuda' here; the engine falls back and the words still come out."""
    from workbench_plugins.asr.engine import transcribe

    samples = speech_clip
    segments, words = transcribe(samples, "whisper-tiny.en", "cuda", language="en", store=default_store())
    assert segments.metadata["device"] == "cpu"
    assert "three" in " ".join(words.texts).lower()


@pytest.fixture(scope="module")
def speech_clip(tmp_path_factory):
    import shutil

    import soundfile as sf

    if not shutil.which("espeak-ng"):
        pytest.fail("espeak-ng is needed to make test speech (scripts/install_system_deps.sh installs it)")
    wav = tmp_path_factory.mktemp("speech") / "s.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "one two three four"], check=True)
    x, sr = sf.read(wav, dtype="float32")
    from workbench.core.audio import AudioBuffer

    return AudioBuffer(x[None], sr).mono(16000).samples[0]


def test_model_cache_is_lru_under_a_budget_and_releases_idle_models():
    import torch

    cache = ModelCache(idle_s=3600, budget=lambda device: 3 * 4000)  # room for three 1000-float tensors
    made = []

    def factory(name):
        made.append(name)
        return torch.zeros(1000)  # 4000 bytes

    for name in "abc":
        cache.get(name, "cpu", lambda n=name: factory(n))
    cache.get("a", "cpu", lambda: factory("a again"))  # a hit: 'a' becomes the newest
    cache.get("d", "cpu", lambda: factory("d"))  # over budget: the least recently used ('b') goes
    assert made == ["a", "b", "c", "d"]
    assert [k for k, _, _ in cache.loaded()] == ["c", "a", "d"]
    assert cache.released == [("b", "cpu")]
    assert cache.release_idle(0.0) == 3 and cache.loaded() == []


def test_plugins_share_the_stores_cache():
    store = default_store()
    manifest = default_registry().get("tagging")
    run_process(manifest, _voice(3.5), {}, JobContext(device="cpu", models=store))
    assert any(key == "musicnn-mtt" for key, _, _ in store.loaded_models.loaded())


def test_devices_check_runs_every_model_plugin_ok_on_the_cpu():
    out = subprocess.run([sys.executable, "-m", "workbench", "devices", "--check", "--device", "cpu"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr[-3000:]
    rows = [line for line in out.stdout.splitlines() if line.split()[2:3] == ["cpu"]]
    plugins = {row.split()[0] for row in rows}
    expected = {m.id for m in default_registry() if m.models and m.has_process}
    assert plugins == expected and len(expected) >= 10
    assert all(" OK" in row for row in rows), out.stdout


def test_devices_check_fails_where_no_gpu_did_the_work():
    """Asked for CUDA on a machine without one, a model plugin ends on the CPU: that row is a FAIL."""
    out = subprocess.run([sys.executable, "-m", "workbench", "devices", "--check", "--device", "cuda",
                          "--plugin", "pitch", "--plugin", "vad"], capture_output=True, text=True, timeout=300)
    assert out.returncode == 1, out.stdout + out.stderr[-2000:]
    pitch = next(line for line in out.stdout.splitlines() if line.startswith("pitch"))
    vad = next(line for line in out.stdout.splitlines() if line.startswith("vad"))
    assert "FAIL" in pitch and " cpu " in pitch
    assert "OK (CPU by design)" in vad


def test_job_runner_resolves_auto_in_the_worker():
    from workbench.core.jobs import JobRunner

    runner = JobRunner(max_workers=1, device="auto")
    assert runner.device == "auto"  # nothing imported torch to find out
    job = runner.submit_plugin(RMS, _voice(), {})
    assert job.wait(30)
    assert job.ctx.device == "cpu" and job.result[0].metadata["device"] == "cpu"
    runner.shutdown()
