"""Speed of the sound-event detector: real-time factor of a file run, and the CPU share of the live processor.

    python benchmarks/bench_sed.py [--seconds 60] [--threads 1]

Baseline: the plugin as it was (YAMNet every 0.48 s, named classes). Rows: the 0.12 s hop alone, the
"street" preset (0.12 s hop + the trained head), and the live processor fed 0.5 s hops (CPU seconds per
second of audio = the share of one core). Audio: a generated street soundscape (plugins/sed/soundscapes.py).
RTF = processing seconds / audio seconds (lower is faster); warm runs (models loaded before timing).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.audio import AudioBuffer  # noqa: E402
from workbench.core.models import default_store  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402
from workbench_plugins.sed import plugin  # noqa: E402
from workbench_plugins.sed.soundscapes import RATE, scene  # noqa: E402
from workbench_plugins.sed.streaming import make_processor  # noqa: E402

LEGACY = {"classes": "Siren; Vehicle horn, car horn, honking; Speech", "hop_s": 0.48, "median_s": 1.44,
          "use_vad": False}
ROWS = {"baseline: 0.48 s hop (as before)": LEGACY,
        "0.12 s hop": {**LEGACY, "hop_s": 0.12, "median_s": 0.36},
        "street preset (0.12 s hop + head)": {"preset": "street", "use_vad": False},
        "street preset + VAD": {"preset": "street"}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the head)")
    a = ap.parse_args()
    import torch

    torch.set_num_threads(a.threads)
    x = np.concatenate([scene(7000 + i, 12.0).audio for i in range(int(np.ceil(a.seconds / 12)))])
    x = x[: int(a.seconds * RATE)]
    audio = AudioBuffer(x, RATE)
    ctx = JobContext(device="cpu", models=default_store())
    print(f"| run | wall RTF | CPU RTF | vs baseline (wall) |\n|---|---|---|---|")
    base = None
    for name, params in ROWS.items():
        plugin.process(AudioBuffer(x[: 5 * RATE], RATE), params, ctx)  # warm-up
        w, c = time.perf_counter(), time.process_time()
        plugin.process(audio, params, ctx)
        wall, cpu = (time.perf_counter() - w) / audio.duration, (time.process_time() - c) / audio.duration
        base = base or wall
        print(f"| {name} | {wall:.4f} | {cpu:.4f} | {wall / base:.2f}x |")
    proc = make_processor({"preset": "street"}, ctx)
    hop = RATE // 2
    proc.push(x[:hop], 0.0)  # warm-up hop
    c, w, worst = time.process_time(), time.perf_counter(), 0.0
    for k in range(hop, len(x), hop):
        t = time.process_time()
        proc.push(x[k:k + hop], k / RATE)
        worst = max(worst, time.process_time() - t)
    cpu, wall = time.process_time() - c, time.perf_counter() - w
    dur = (len(x) - hop) / RATE
    print(f"\nlive processor (street, 0.5 s hops): CPU {100 * cpu / dur:.1f} % of one core "
          f"(goal < 25 %), wall {100 * wall / dur:.1f} %, slowest hop {worst * 1000:.0f} ms CPU")


if __name__ == "__main__":
    main()
