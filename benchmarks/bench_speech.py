"""Real-time factor of the speech plugins on this machine: ASR (Whisper base, tiny.en), TTS (Piper), VAD (Silero),
diarization, speech enhancement (file and live monitor).

Usage: python benchmarks/bench_speech.py [--runs 3] [--device cpu]

Input speech is made here with espeak-ng (about 30 s: sentences with pauses) so no corpus is needed; TTS speaks a
paragraph. Baseline = real time (the audio's duration); the timing is the median of ``--runs`` runs after one
warm-up run (model loading excluded); ratio = RTF = wall-clock seconds per second of audio (lower is faster).
Process CPU time is printed too, since on a shared machine the wall clock also measures other people's load.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.audio_io import load_audio
from workbench.core.devices import best_compute_device
from workbench.core.params import resolve_params
from workbench.core.plugin_api import JobContext, run_process

TEXT = [
    "The library opens at nine in the morning and closes at six in the evening.",
    "Please bring your own coffee cup to the meeting tomorrow afternoon.",
    "The bus to the city center leaves every twenty minutes from the main square.",
    "She planted tomatoes and potatoes in the garden behind her house.",
    "Remember to turn off the lights and lock the door when you leave.",
    "We are going for a walk in the park this afternoon.",
    "My brother bought a new car last week.",
    "Open the window because it is very warm in this room.",
]


def espeak_speech(folder: Path) -> AudioBuffer:
    """The sentences spoken by espeak-ng with 0.7 s pauses, at 16 kHz."""
    parts = []
    for i, s in enumerate(TEXT):
        subprocess.run(["espeak-ng", "-s", "150", "-w", str(folder / f"{i}.wav"), s], check=True)
        parts += [load_audio(folder / f"{i}.wav").mono(16000).samples[0], np.zeros(11200, np.float32)]
    return AudioBuffer(np.concatenate(parts)[None], 16000, name="espeak")


def time_plugin(plugin: str, audio, params: dict, runs: int, device: str) -> tuple[float, float, list]:
    """(median wall seconds, median process CPU seconds over all threads, layers of the last run)."""
    from workbench.core.registry import PluginRegistry

    manifest = PluginRegistry.discover().get(plugin)
    params = resolve_params(manifest.params, params)
    layers = run_process(manifest, audio, params, JobContext(device=device))  # warm-up: loads the model
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        layers = run_process(manifest, audio, params, JobContext(device=device))
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(times), statistics.median(cpu), layers


def time_live_enhance(audio, device: str) -> tuple[float, float]:
    """(wall s, CPU s) to push ``audio`` through the live clean-speech monitor in 20 ms hops (real time = 1)."""
    from workbench.core.contributions import resolve
    from workbench.core.registry import PluginRegistry
    from workbench.core.resample import resample_array

    (live,) = PluginRegistry.discover().get("enhance").live
    proc = resolve(live.factory)({}, JobContext(device=device))
    x = resample_array(audio.samples[0], audio.sample_rate, proc.sample_rate)
    hop = int(live.hop_s * proc.sample_rate)
    t, c = time.perf_counter(), time.process_time()
    for i in range(0, len(x), hop):
        proc.push(x[i:i + hop], i / proc.sample_rate)
    proc.flush()
    return time.perf_counter() - t, time.process_time() - c


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--device", default=None)
    args = ap.parse_args(argv)
    device = best_compute_device(args.device)
    with tempfile.TemporaryDirectory() as tmp:
        speech = espeak_speech(Path(tmp))
    rows = []
    for label, plugin, params in (
        ("ASR Whisper base (beam 5)", "asr", {"model": "base"}),
        ("ASR Whisper tiny.en (beam 5)", "asr", {"model": "tiny.en"}),
        ("VAD Silero", "vad", {}),
        ("Diarization (VAD + Resemblyzer)", "diarization", {}),  # goal RTF <= 0.05
        ("Enhance RNNoise + Wiener (file)", "enhance", {}),  # goal RTF <= 0.1
    ):
        seconds, cpu, _ = time_plugin(plugin, speech, params, args.runs, device)
        rows.append((label, speech.duration, seconds, cpu))
    rows.append(("Enhance live monitor (20 ms hops)", speech.duration) + time_live_enhance(speech, device))
    seconds, cpu, layers = time_plugin("tts", None, {"text": " ".join(TEXT)}, args.runs, device)
    rows.append(("TTS Piper joe-medium", layers[0].tracks["speech"].duration, seconds, cpu))
    print(f"device: {device}; median of {args.runs} runs after a warm-up; baseline = real time (audio duration)")
    print("(CPU s = process CPU time over all threads: on a shared machine it shows the work, wall s the wait)")
    print(f"{'what':32s} {'baseline (audio s)':>18s} {'wall s':>8s} {'ratio (RTF)':>12s} {'CPU s':>8s} {'CPU RTF':>8s}")
    for label, audio_s, wall_s, cpu_s in rows:
        print(f"{label:32s} {audio_s:18.2f} {wall_s:8.3f} {wall_s / audio_s:12.4f} {cpu_s:8.3f} {cpu_s / audio_s:8.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
