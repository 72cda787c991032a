"""Spectrogram view on a 1-hour stereo 44.1 kHz file: time to first visible image, per zoom step and per scroll
step, for STFT, mel and CQT (SpectrogramProvider, 1600 px wide).

The file is synthesised in memory (1.2 GB float32; a 37 s passage of tones, glides, clicks and noise repeated).
Each timing is the median (and max) over several fresh providers or steps; the baseline column is the goal.
Usage: python benchmarks/bench_view.py [--minutes 60] [--runs 3] [--kinds stft,mel,cqt] [--device cpu]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np
import torch

from workbench.core.audio import AudioBuffer
from workbench.core.features import SpectrogramSettings
from workbench.core.spectrogram_view import SpectrogramProvider

SR = 44100
WIDTH = 1600


def synth(minutes: float) -> AudioBuffer:
    rng = np.random.default_rng(0)
    n_p = 37 * SR
    t = np.arange(n_p) / SR
    f = 110 * 2 ** (np.floor(t / 2.3) % 24 / 12)
    left = 0.3 * np.sin(2 * np.pi * np.cumsum(f) / SR) + 0.1 * np.sin(2 * np.pi * (200 * t + 40 * t**2))
    right = 0.3 * np.sin(2 * np.pi * np.cumsum(1.5 * f) / SR)
    passage = np.stack([left, right]) + 0.01 * rng.standard_normal((2, n_p))
    passage[:, :: SR // 3] += 0.5
    n = int(minutes * 60 * SR)
    out = np.empty((2, n), dtype=np.float32)
    for a in range(0, n, n_p):
        out[:, a:a + n_p] = passage[:, : n - a]
    return AudioBuffer(out[:, :], SR)  # a view: AudioBuffer keeps it without copying


def timed(fn, cpu: list[float]) -> float:
    """Wall seconds of fn(); its CPU seconds (all threads) are appended to ``cpu`` (a loaded machine shows in
    wall time, not in CPU time)."""
    c, t = time.process_time(), time.perf_counter()
    fn()
    cpu.append(time.process_time() - c)
    return time.perf_counter() - t


def row(what: str, goal: float, times: list[float], cpu: list[float]) -> None:
    med = statistics.median(times)
    print(f"{what:42s} {goal * 1000:9.0f} {med * 1000:9.1f} {max(times) * 1000:9.1f} {goal / med:7.2f} "
          f"{statistics.median(cpu) * 1000:9.1f}", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kinds", default="stft,mel,cqt")
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    warm = AudioBuffer(np.random.default_rng(0).standard_normal((2, SR)).astype(np.float32) * 0.1, SR)
    for kind in args.kinds.split(","):  # imports, filter banks and CQT kernels: once per process, not per file
        SpectrogramProvider(warm, device=args.device).render(SpectrogramSettings(kind=kind), 0, 1, 100)
    t = time.perf_counter()
    audio = synth(args.minutes)
    dur = audio.duration
    print(f"file: {dur / 60:.0f} min stereo {SR} Hz float32 ({audio.samples.nbytes / 2**30:.2f} GiB, made in "
          f"{time.perf_counter() - t:.1f} s); view {WIDTH} px; device {args.device}; torch threads {torch.get_num_threads()}; cold = fresh provider and cache")
    print(f"{'what':42s} {'goal ms':>9s} {'median ms':>9s} {'max ms':>9s} {'ratio':>7s} {'cpu ms':>9s}")
    print("(ratio = goal / median wall time, > 1 meets the goal; cpu = median CPU time of the same steps, all threads)")
    mid = dur / 2
    with tempfile.TemporaryDirectory() as tmp:
        p0 = SpectrogramProvider(audio, device=args.device, cache_dir=tmp)
        c = []
        row("waveform overview (whole file, cold)", 1.0, [timed(lambda: p0.overview(WIDTH), c)], c)
        for kind in args.kinds.split(","):
            s = SpectrogramSettings(kind=kind)
            full, view30, c_full, c_30 = [], [], [], []
            for r in range(args.runs):
                with tempfile.TemporaryDirectory() as cold:
                    p = SpectrogramProvider(audio, device=args.device, cache_dir=cold)
                    full.append(timed(lambda: p.render(s, 0, dur, WIDTH), c_full))
                    p = SpectrogramProvider(audio, device=args.device, cache_dir=cold)
                    a = mid + 97.3 * r
                    view30.append(timed(lambda: p.render(s, a, a + 30, WIDTH), c_30))
            row(f"{kind}: first view, whole file", 1.0, full, c_full)
            row(f"{kind}: first view, 30 s", 1.0, view30, c_30)
            p = SpectrogramProvider(audio, device=args.device, cache_dir=tmp)
            p.render(s, 0, dur, WIDTH)
            zoom, span, c = [], dur, []
            while span > 30:  # zoom in x2 around the middle, each step to tiles never seen before
                span /= 2
                zoom.append(timed(lambda: p.render(s, mid - span / 2, mid + span / 2, WIDTH), c))
            row(f"{kind}: zoom step x2 ({len(zoom)} steps, cold)", 0.05, zoom, c)
            zoom_back, c = [], []
            while span < dur:
                span *= 2
                zoom_back.append(timed(lambda: p.render(s, mid - span / 2, mid + span / 2, WIDTH), c))
            row(f"{kind}: zoom back out (cached)", 0.05, zoom_back, c)
            a = mid + 300
            p.render(s, a, a + 30, WIDTH)
            c = []
            scroll = [timed(lambda: p.render(s, a + 3 * i, a + 3 * i + 30, WIDTH), c) for i in range(1, 21)]
            row(f"{kind}: scroll step 10% of 30 s (20 steps)", 0.05, scroll, c)
            p2 = SpectrogramProvider(audio, device=args.device, cache_dir=tmp)
            c = []
            row(f"{kind}: whole file, new provider, disk cache", 1.0, [timed(lambda: p2.render(s, 0, dur, WIDTH), c)], c)


if __name__ == "__main__":
    main()
