"""Feature throughput: our torch STFT / mel / CQT versus librosa on the same audio and parameters.

Prints a table: what, baseline, both median wall timings over several runs, and the ratio (librosa / ours; > 1
means ours is faster), then the same ratio of CPU time (all threads): on a machine shared with other work the
wall ratio swings with the load, the CPU ratio much less (it also shows what extra threads cost). The last
column is the wall ratio the project aims for (issue "Features": STFT >= 2x, mel >= 1.5x, CQT >= 5x) and whether
this run met it. Usage: python benchmarks/bench_features.py [--seconds 60] [--runs 5] [--device cpu]
"""

from __future__ import annotations

import argparse
import statistics
import time

import librosa
import numpy as np
import torch

from workbench.core.features import SpectrogramSettings, cqt_magnitude, mel_power, stft_power


def music_like(sr: int, seconds: float) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(int(sr * seconds)) / sr
    x = 0.3 * np.sin(2 * np.pi * 220 * t) + 0.2 * np.sin(2 * np.pi * (110 * t + 20 * t**2 / seconds))
    x += 0.02 * rng.standard_normal(len(t))
    return x.astype(np.float32)


def median_times(fa, fb, runs: int) -> tuple[float, float, float, float]:
    """Median wall seconds of fa and of fb, then their median CPU seconds; run alternately (the machine's load
    drifts; both see the same)."""
    fa(), fb()  # warm-up: kernels, filter banks, numba
    ta, tb, ca, cb = [], [], [], []
    for _ in range(runs):
        for fn, out, cpu in ((fa, ta, ca), (fb, tb, cb)):
            c, t = time.process_time(), time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
    med = statistics.median
    return med(ta), med(tb), med(ca), med(cb)


def sync(device: str):
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--threads", type=int, default=0, help="torch intra-op threads (0: torch's default)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    dev = args.device
    print(f"audio: {args.seconds:g} s mono, median of {args.runs} runs, device {dev}, torch threads "
          f"{torch.get_num_threads()}")
    print(f"{'what':44s} {'baseline':30s} {'ours s':>8s} {'librosa s':>10s} {'ratio':>7s} {'cpu ratio':>9s} "
          f"{'goal':>9s}")
    for sr in (22050, 44100):
        x = music_like(sr, args.seconds)
        xt = torch.from_numpy(x).to(dev)
        st = SpectrogramSettings(kind="stft", n_fft=2048, hop=512)
        mel = SpectrogramSettings(kind="mel", n_fft=2048, hop=512, n_mels=128, fmin=32.7)
        cq = SpectrogramSettings(kind="cqt", hop=512, fmin=32.7, bins_per_octave=36, n_bins=252)
        cq12 = SpectrogramSettings(kind="cqt", hop=512, fmin=32.7, bins_per_octave=12, n_bins=84)
        rows = [
            (f"STFT n_fft 2048 hop 512 @ {sr}", "librosa.stft (|.|^2)", 2.0,
             lambda: (stft_power(xt, sr, st, dev), sync(dev)),
             lambda: np.abs(librosa.stft(x, n_fft=2048, hop_length=512)) ** 2),
            (f"mel 128 n_fft 2048 hop 512 @ {sr}", "librosa.feature.melspectrogram", 1.5,
             lambda: (mel_power(xt, sr, mel, dev), sync(dev)),
             lambda: librosa.feature.melspectrogram(y=x, sr=sr, n_fft=2048, hop_length=512, n_mels=128, fmin=32.7)),
            (f"CQT 252 bins 36/oct hop 512 @ {sr}", "librosa.cqt (|.|)", 5.0,
             lambda: (cqt_magnitude(x, sr, cq, dev), sync(dev)),
             lambda: np.abs(librosa.cqt(x, sr=sr, hop_length=512, fmin=32.7, n_bins=252, bins_per_octave=36))),
            (f"CQT 84 bins 12/oct hop 512 @ {sr}", "librosa.cqt (|.|)", 5.0,
             lambda: (cqt_magnitude(x, sr, cq12, dev), sync(dev)),
             lambda: np.abs(librosa.cqt(x, sr=sr, hop_length=512, fmin=32.7, n_bins=84, bins_per_octave=12))),
        ]
        for what, base, goal, ours, ref in rows:
            t_ours, t_ref, c_ours, c_ref = median_times(ours, ref, args.runs)
            met = "met" if t_ref / t_ours >= goal else "MISSED"
            print(f"{what:44s} {base:30s} {t_ours:8.3f} {t_ref:10.3f} {t_ref / t_ours:7.2f} "
                  f"{c_ref / max(c_ours, 1e-9):9.2f} {goal:4.1f}x {met}", flush=True)


if __name__ == "__main__":
    main()
