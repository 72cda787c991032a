"""Real-time factors of the music plugins (separation, musicnn tagging, YAMNet tagging, sound events) and the
peak memory of separating a long file in chunks versus in one piece.

    python benchmarks/bench_music.py [--seconds 60] [--runs 3] [--long-minutes 10] [--skip-whole]

Table 1: plugin, audio length, median processing time over --runs (model loaded, one warm-up run), RTF
(processing s per audio s; baseline = real time, RTF 1), and the ratio real time / processing time.
Table 2: peak resident memory (ru_maxrss of a fresh process) for a --long-minutes stereo 44.1 kHz file through
the Spleeter separation in 30 s chunks (the default) versus one chunk covering the whole file (the baseline).
The signal is synthetic (harmonic tones, clicks and noise): speed and memory do not depend on the content.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def music_like(rate: int, seconds: float, channels: int = 2) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(rate * seconds)) / rate
    x = 0.2 * np.sin(2 * np.pi * 220 * t) + 0.1 * np.sin(2 * np.pi * (330 + 20 * np.sin(2 * np.pi * 0.2 * t)) * t)
    x += 0.3 * (np.sin(2 * np.pi * 2 * t) > 0.995) + 0.02 * rng.standard_normal(len(t))
    return np.stack([x, np.roll(x, 100)][:channels]).astype(np.float32)


def median_time(fn, runs: int) -> float:
    fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def child_peak(minutes: float, chunk_s: float) -> dict:
    """Run the separation in a fresh process and return its peak RSS (MiB) and wall time."""
    code = f"""
import json, resource, sys, time
sys.path[:0] = [{str(REPO)!r}, {str(REPO / "benchmarks")!r}]
from bench_music import music_like
from workbench.core.audio import AudioBuffer
from workbench.core.plugin_api import JobContext
from workbench_plugins.separation import plugin
ctx = JobContext()
plugin.process(AudioBuffer(music_like(44100, 1.0), 44100), {{}}, ctx)
loaded = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
audio = AudioBuffer(music_like(44100, {minutes} * 60), 44100)
t = time.perf_counter()
tr = plugin.process(audio, {{"chunk_s": {chunk_s}}}, JobContext())[0].tracks
dt = time.perf_counter() - t
print(json.dumps(dict(peak=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, loaded=loaded, seconds=dt,
      audio_mb=audio.samples.nbytes / 2**20)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--long-minutes", type=float, default=10.0)
    ap.add_argument("--skip-whole", action="store_true", help="skip the one-chunk baseline (slow, memory-hungry)")
    ap.add_argument("--skip-rtf", action="store_true")
    a = ap.parse_args()

    from workbench.core.audio import AudioBuffer
    from workbench.core.plugin_api import JobContext
    from workbench_plugins.audioset import plugin as audioset
    from workbench_plugins.sed import plugin as sed
    from workbench_plugins.separation import plugin as separation
    from workbench_plugins.tagging import plugin as tagging

    if not a.skip_rtf:
        audio = AudioBuffer(music_like(44100, a.seconds), 44100)
        ctx = JobContext()
        rows = [("separation (Spleeter 2 stems, full band)", lambda: separation.process(audio, {}, ctx)),
                ("tagging (musicnn MTT, 3 s segments)", lambda: tagging.process(audio, {}, ctx)),
                ("audioset (YAMNet, 0.48 s hop)", lambda: audioset.process(audio, {}, ctx)),
                ("sed (YAMNet + events + VAD)", lambda: sed.process(audio, {}, JobContext()))]
        print(f"| plugin | audio | baseline | median time ({a.runs} runs) | RTF | real time / time |")
        print("|---|---|---|---|---|---|")
        for name, fn in rows:
            dt = median_time(fn, a.runs)
            print(f"| {name} | {a.seconds:.0f} s | real time ({a.seconds:.0f} s) | {dt:.2f} s | "
                  f"{dt / a.seconds:.3f} | {a.seconds / dt:.1f}x |")
    print(f"\n| separation of {a.long_minutes:g} min stereo 44.1 kHz | peak RSS | after model load | time | RTF |")
    print("|---|---|---|---|---|")
    configs = [("30 s chunks (default)", 30.0)] + ([] if a.skip_whole else [("one chunk (baseline)", a.long_minutes * 60)])
    for name, chunk in configs:
        r = child_peak(a.long_minutes, chunk)
        print(f"| {name} | {r['peak']:.0f} MiB | {r['loaded']:.0f} MiB | {r['seconds']:.0f} s | "
              f"{r['seconds'] / (a.long_minutes * 60):.2f} |")
    print(f"(the input alone is {a.long_minutes * 60 * 44100 * 2 * 4 / 2**20:.0f} MiB of float32; each stem the same)")


if __name__ == "__main__":
    main()
