"""Helpers for the live tests: a PulseAudio null sink "virt" is the speaker and its monitor the microphone.

scripts/run_tests.sh starts it (scripts/virtual_audio.sh) and sets WORKBENCH_VIRTUAL_MIC=1; without it the
tests that need a real audio path are skipped with that reason.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import threading
import time

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SINK_ARGS = "sink_name=virt"  # as scripts/virtual_audio.sh loads it


@pytest.fixture(autouse=True)
def _collect_in_the_drain_thread():
    """As in the app, whose GUI thread owns garbage collection (workbench/core/collector.py): the thread that
    drains the session collects, so a collection (0.1-0.2 s) never runs in PortAudio's callback thread, where
    it would drop captured audio."""
    from workbench.core import collector

    collector.take_over()
    yield
    collector.give_back()


def virtual_mic_reason() -> str:
    if os.environ.get("WORKBENCH_VIRTUAL_MIC") != "1":
        return "no virtual microphone: run through scripts/run_tests.sh (PulseAudio null sink, WORKBENCH_VIRTUAL_MIC=1)"
    if not shutil.which("pactl") or subprocess.run(["pactl", "info"], capture_output=True).returncode:
        return "no virtual microphone: the PulseAudio server is not reachable"
    return ""


@pytest.fixture
def require_virtual_mic():
    """Skip without the virtual microphone on a developer's machine; under CI (CI=true) fail instead, so a
    broken audio set-up cannot turn the live tests into skips."""
    reason = virtual_mic_reason()
    if reason:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs the virtual microphone: {reason}")
        pytest.skip(reason)


needs_virtual_mic = pytest.mark.usefixtures("require_virtual_mic")


def ensure_virtual_sink() -> None:
    """(Re)load the null sink and make it the default sink/source (after a test removed it)."""
    mods = subprocess.run(["pactl", "list", "short", "modules"], capture_output=True, text=True).stdout
    if not any("module-null-sink" in line and "sink_name=virt" in line for line in mods.splitlines()):
        subprocess.run(["pactl", "load-module", "module-null-sink", SINK_ARGS], check=True, capture_output=True)
    subprocess.run(["pactl", "set-default-sink", "virt"], check=True)
    subprocess.run(["pactl", "set-default-source", "virt.monitor"], check=True)


def unload_virtual_sink() -> None:
    mods = subprocess.run(["pactl", "list", "short", "modules"], capture_output=True, text=True).stdout
    for line in mods.splitlines():
        if "module-null-sink" in line and "sink_name=virt" in line:
            subprocess.run(["pactl", "unload-module", line.split()[0]], check=True)


class Player:
    """Plays a mono float32 signal into the default sink through a sounddevice OutputStream (non-blocking)."""

    def __init__(self, signal: np.ndarray, sample_rate: int):
        import sounddevice as sd

        self.signal = np.asarray(signal, np.float32)
        self.pos = 0
        self.done = threading.Event()
        self.first_dac_time = None
        self.stream = sd.OutputStream(samplerate=sample_rate, channels=1, dtype="float32", blocksize=512,
                                      latency="low", callback=self._cb, finished_callback=self.done.set)
        self.stream.start()

    def _cb(self, out, frames, time_info, status):
        import sounddevice as sd

        chunk = self.signal[self.pos:self.pos + frames]
        out[:len(chunk), 0] = chunk
        out[len(chunk):] = 0.0
        self.pos += frames
        if self.pos >= len(self.signal) + 4096:
            raise sd.CallbackStop

    def wait(self, timeout: float = 30.0) -> None:
        self.done.wait(timeout)
        self.stream.close()


class PaPlayer:
    """Plays a mono float32 signal with ``paplay`` (a native process: no gaps when Python threads are starved)."""

    def __init__(self, signal: np.ndarray, sample_rate: int, path):
        import soundfile as sf

        sf.write(str(path), np.asarray(signal, np.float32), sample_rate, subtype="FLOAT")
        self.proc = subprocess.Popen(["paplay", str(path)])

    @property
    def finished(self) -> bool:
        return self.proc.poll() is not None

    def wait(self, timeout: float = 30.0) -> None:
        self.proc.wait(timeout)


def wait_until_flowing(session, timeout: float = 8.0) -> None:
    """Poll until the capture delivers audio (a fresh null-sink monitor may wait up to ~2 s first)."""
    from workbench.core.collector import collect_if_due

    end = time.monotonic() + timeout
    while session.capture.callbacks < 4:
        assert time.monotonic() < end, "the virtual microphone delivered no audio"
        session.poll()
        collect_if_due()
        time.sleep(0.016)


def run_for(session, seconds: float, on_update=None, until=None):
    """Drain ``session`` at ~60 Hz for ``seconds`` (or until ``until()`` is true); returns the updates."""
    from workbench.core.collector import collect_if_due

    updates = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        u = session.poll()
        updates.append(u)
        if on_update:
            on_update(u)
        if until and until():
            break
        collect_if_due()  # the app's GUI thread collects on its timer
        time.sleep(1 / 60)
    return updates


def tone(freq: float, seconds: float, sr: int, amp: float = 0.3, harmonics: int = 1) -> np.ndarray:
    """A tone with ``harmonics`` partials of amplitude 1/k (1: a sine), 10 ms fades at both ends."""
    t = np.arange(int(seconds * sr)) / sr
    ramp = np.minimum(1.0, np.minimum(t, t[-1] - t) / 0.01)  # 10 ms fades: no clicks
    x = sum(np.sin(2 * np.pi * k * freq * t) / k for k in range(1, harmonics + 1) if k * freq < sr / 2)
    return (amp * x / np.max(np.abs(x)) * ramp).astype(np.float32)


@contextlib.contextmanager
def pulse_route(sink: str | None = None, source: str | None = None):
    """Streams opened inside go to PulseAudio ``sink`` / come from ``source`` (libpulse reads these at connect)."""
    saved = {k: os.environ.get(k) for k in ("PULSE_SINK", "PULSE_SOURCE")}
    if sink:
        os.environ["PULSE_SINK"] = sink
    if source:
        os.environ["PULSE_SOURCE"] = source
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@pytest.fixture
def second_sink():
    """A second null sink "virt_out" (the separated audio goes there, so the microphone does not hear it)."""
    out = subprocess.run(["pactl", "load-module", "module-null-sink", "sink_name=virt_out"], capture_output=True,
                         text=True, check=True).stdout.strip()
    yield "virt_out"
    subprocess.run(["pactl", "unload-module", out], capture_output=True)


@pytest.fixture
def virtual_sink():
    """The null sink as default source/sink; restored after the test even if the test unloaded it."""
    ensure_virtual_sink()
    yield
    ensure_virtual_sink()
