"""Speed of cover search and DDSP: indexing (tracks/s), query latency on 10,000 tracks, DDSP training speed and
transfer real-time factor.

Usage: python benchmarks/bench_cover_ddsp.py [--tracks 10000] [--runs 5]

Audio is synthesised here (chord sequences as sums of sines); the 10k-track library holds synthetic feature rows
(random chroma of 30 s tracks), which is all a query touches. Times are medians of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def median_time(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def chord_audio(seed: int, seconds: float = 30.0, sr: int = 22050) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = np.zeros_like(t)
    for start in np.arange(0, seconds, 0.5):
        root = 48 + int(rng.integers(0, 12))
        seg = (t >= start) & (t < start + 0.5)
        for iv in (0, 4, 7, 12):
            y[seg] += np.sin(2 * np.pi * 440 * 2 ** ((root + iv - 69) / 12) * t[seg]) * np.exp(-3 * (t[seg] - start))
    return (0.2 * y).astype(np.float32)


def synthetic_features(rng, frames: int = 80):
    from workbench_plugins.cover_search.features import TrackFeatures, two_d_fourier_embedding

    chroma = rng.random((frames, 12)).astype(np.float32) ** 4
    chroma /= np.linalg.norm(chroma, axis=1, keepdims=True)
    beats = chroma[: frames // 2 * 2].reshape(-1, 2, 12).mean(axis=1)
    return TrackFeatures(chroma, beats, two_d_fourier_embedding(beats), chroma.mean(axis=0) / chroma.mean(axis=0).sum(),
                         frames / 2.69, 120.0)


def row(what: str, value: str, baseline: str, base_value: str, ratio: str) -> None:
    print(f"{what:42s} {value:>14s}  {baseline:30s} {base_value:>12s}  {ratio:>8s}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tracks", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--rerank", type=int, default=50)
    args = ap.parse_args(argv)

    import torch

    from workbench_plugins.cover_search.features import analyse_samples
    from workbench_plugins.cover_search.library import Library
    from workbench_plugins.cover_search.query import CoverSearcher

    print(f"{'what':42s} {'measured':>14s}  {'baseline':30s} {'baseline':>12s}  {'ratio':>8s}")
    # -- indexing ------------------------------------------------------------------------------------------
    audio = [chord_audio(s) for s in range(3)]
    t_index = median_time(lambda: [analyse_samples(y, 22050) for y in audio], max(1, args.runs // 2)) / len(audio)
    row("cover index: analyse one 30 s track", f"{1 / t_index:.2f} tracks/s", "real time (30 s of audio)",
        "30.0 s", f"{30.0 / t_index:.0f}x")
    # -- query on a big library ----------------------------------------------------------------------------
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Path(tmp) / "big.sqlite")
        t = time.perf_counter()
        for i in range(args.tracks):
            lib.put(f"/synthetic/{i:05d}.wav", synthetic_features(rng), commit=False)
        lib.db.commit()
        fill_s = time.perf_counter() - t
        searcher = CoverSearcher(lib)
        query = synthetic_features(np.random.default_rng(123))
        t_q = median_time(lambda: searcher.query(query, top_k=10, rerank=args.rerank), args.runs)
        t_emb = median_time(lambda: searcher.candidates(query, args.rerank), args.runs)
        ids, vecs = lib.embeddings()
        t_loop = median_time(lambda: sorted(((float(np.dot(v, query.embedding)), i) for i, v in zip(ids, vecs)),
                                            reverse=True)[: args.rerank], max(1, args.runs // 2))
        t_load = median_time(lambda: CoverSearcher(lib), max(1, args.runs // 2))
        lib.close()
    row(f"query {args.tracks} tracks (rerank {args.rerank})", f"{t_q * 1000:.0f} ms", "goal", "1000 ms",
        f"{1.0 / t_q:.1f}x")
    row(f"embedding search {args.tracks} (numpy cosine)", f"{t_emb * 1000:.2f} ms", "python loop over rows",
        f"{t_loop * 1000:.0f} ms", f"{t_loop / t_emb:.0f}x")
    row(f"open library index ({args.tracks} rows)", f"{t_load * 1000:.0f} ms", "-", "-", "-")
    row(f"fill library ({args.tracks} synthetic rows)", f"{fill_s:.1f} s", "-", "-", "-")
    # -- DDSP ----------------------------------------------------------------------------------------------
    from workbench_plugins.ddsp.loss import multiscale_spectral_loss
    from workbench_plugins.ddsp.model import DDSP, DDSPConfig
    from workbench_plugins.ddsp.plugin import synthesize
    from workbench_plugins.ddsp.train import SEGMENT_FRAMES

    model = DDSP(DDSPConfig())
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    f0 = torch.full((8, SEGMENT_FRAMES), 330.0) * torch.linspace(1, 1.5, SEGMENT_FRAMES)
    ld = torch.full((8, SEGMENT_FRAMES), -30.0)
    target = torch.randn(8, SEGMENT_FRAMES * 160) * 0.1

    def step():
        loss = multiscale_spectral_loss(model(f0, ld), target)
        opt.zero_grad()
        loss.backward()
        opt.step()

    step()
    t_step = median_time(step, args.runs)
    excerpts = int(81 / 0.125)  # 90 s recording, 90 % for training, 0.5 s excerpts every 0.125 s
    row("DDSP training step (batch 8 x 0.5 s, CPU)", f"{1 / t_step:.2f} steps/s", "audio trained per second",
        f"{4.0 / t_step:.1f} s/s", "-")
    row("DDSP epoch (90 s recording)", f"{excerpts / 8 * t_step:.0f} s", "-", "-", "-")
    seconds = 20.0
    f0n = (330.0 * np.ones(int(seconds * 100))).astype(np.float32)
    ldn = np.full_like(f0n, -30.0)
    model.eval()
    t_syn = median_time(lambda: synthesize(model, f0n, ldn), args.runs)
    row(f"DDSP transfer synthesis ({seconds:g} s)", f"RTF {t_syn / seconds:.3f}", "real time", "RTF 1.0",
        f"{seconds / t_syn:.0f}x")
    try:
        from workbench_plugins.ddsp.features import estimate_f0

        y16 = (0.3 * np.sin(2 * np.pi * 330 * np.arange(int(seconds * 16000)) / 16000)).astype(np.float32)
        t_f0 = median_time(lambda: estimate_f0(y16), max(1, args.runs // 2))
        row(f"DDSP transfer incl. FCPE f0 ({seconds:g} s)", f"RTF {(t_syn + t_f0) / seconds:.3f}", "real time",
            "RTF 1.0", f"{seconds / (t_syn + t_f0):.0f}x")
    except Exception as exc:  # FCPE missing: synthesis alone is still reported
        print(f"(f0 estimation not measured: {exc})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
