"""Song identification speed: indexing against real time, and query time on a 10,000-track library.

Usage: python benchmarks/bench_audio_id.py [--tracks 10000] [--seconds 180] [--queries 20]
Indexing: fingerprinting + storing rendered songs (fluidsynth), and a whole ``Library.add_folder`` (which also
computes the cover-search features), as multiples of real time (goal >= 20x). Query: a library database holding
``--tracks`` synthetic tracks of ``--seconds`` s (random landmark hashes over the real hash space at the hash rate
measured on the rendered songs) plus the rendered songs, queried with 8 s phone-degraded excerpts of a rendered
song; median and worst query time against the 200 ms goal, and whether each query found the right track.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from tests.plugins.song_synth import phone, songs  # noqa: E402
from workbench_plugins.cover_search import identify as fp_db  # noqa: E402
from workbench_plugins.cover_search.features import EMBEDDING_DIM  # noqa: E402
from workbench_plugins.cover_search.fingerprint import DT_MAX, fingerprint  # noqa: E402
from workbench_plugins.cover_search.library import Library  # noqa: E402


def synthetic_rows(rng, tracks: int, seconds: float, rate: float, first_id: int):
    """(hash, track, frame) arrays for ``tracks`` synthetic tracks, sorted by hash (fast B-tree inserts)."""
    per = int(seconds * rate)
    n = tracks * per
    f1 = rng.integers(38, 487, n, dtype=np.uint32)
    df = rng.integers(-127, 128, n).astype(np.int64)
    dt = rng.integers(1, DT_MAX + 1, n, dtype=np.uint32)
    h = (f1 << 15) | ((df + 128).astype(np.uint32) << 6) | dt
    track = np.repeat(np.arange(first_id, first_id + tracks, dtype=np.int64), per)
    frame = rng.integers(0, int(seconds / 0.032), n).astype(np.int64)
    order = np.argsort(h, kind="stable")
    return h[order].astype(np.int64), track[order], frame[order]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tracks", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=180.0)
    ap.add_argument("--queries", type=int, default=20)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        music = Path(tmp) / "music"
        music.mkdir()
        rendered = []
        for i, (song, y, sr) in enumerate(songs(77, 3, bars=40)):
            sf.write(music / f"song{i}.wav", y, sr)
            rendered.append((y, sr))
        audio_s = sum(len(y) / sr for y, sr in rendered)
        fingerprint(*rendered[0])  # warm-up (imports, filter design)
        t0 = time.perf_counter()
        prints = [fingerprint(y, sr) for y, sr in rendered]
        fp_s = time.perf_counter() - t0
        rate = sum(len(h) for h, _ in prints) / audio_s
        with Library(Path(tmp) / "lib.sqlite") as lib:
            t0 = time.perf_counter()
            lib.add_folder(music)
            add_s = time.perf_counter() - t0
            ids = {Path(path).name: tid for tid, path, _, _ in lib.tracks()}
            t0 = time.perf_counter()
            for i, ((h, f), (y, sr)) in enumerate(zip(prints, rendered)):  # the store step alone (replacing)
                fp_db.store(lib.db, ids[f"song{i}.wav"], h, f, len(y) / sr)
            store_s = time.perf_counter() - t0
            print(f"indexing ({audio_s:.0f} s of rendered songs, {rate:.0f} hashes/s), baseline: real time")
            print(f"  fingerprint + store: {audio_s / (fp_s + store_s):6.0f}x real time (goal >= 20x)")
            print(f"  library add (fingerprints + cover features): {audio_s / add_s:6.0f}x real time")
            t0 = time.perf_counter()
            base = 1_000_000
            blob = np.zeros(EMBEDDING_DIM, np.float32).tobytes()
            for start in range(0, args.tracks, 500):
                count = min(500, args.tracks - start)
                ids = range(base + start, base + start + count)
                lib.db.executemany("INSERT INTO tracks (id, path, duration, embedding) VALUES (?, ?, ?, ?)",
                                   [(i, f"synthetic/{i}.wav", args.seconds, blob) for i in ids])
                lib.db.executemany("INSERT INTO fingerprinted VALUES (?, ?, ?)",
                                   [(i, args.seconds, b"") for i in ids])
            h, tr, fr = synthetic_rows(rng, args.tracks, args.seconds, rate, base)
            step = 2_000_000
            for i in range(0, len(h), step):
                lib.db.executemany("INSERT OR IGNORE INTO fingerprints VALUES (?, ?, ?)",
                                   zip(h[i:i + step].tolist(), tr[i:i + step].tolist(), fr[i:i + step].tolist()))
            lib.db.commit()
            rows = lib.db.execute("SELECT COUNT(*) FROM fingerprints").fetchone()[0]
            print(f"\nlibrary of {args.tracks + len(rendered)} tracks ({args.tracks} synthetic x {args.seconds:g} s), "
                  f"{rows / 1e6:.1f} M hashes, built in {time.perf_counter() - t0:.0f} s")
            y, sr = rendered[0]
            target = next(path for _, path, _, _ in lib.tracks() if Path(path).name == "song0.wav")
            times, right = [], 0
            for _ in range(args.queries):
                start = int(rng.integers(0, len(y) - 8 * sr))
                clip = phone(y[start:start + 8 * sr], sr, rng)
                t0 = time.perf_counter()
                found = fp_db.identify(lib.db, str(lib.path), clip, sr)
                times.append(time.perf_counter() - t0)
                right += bool(found) and found[0]["path"] == target and abs(found[0]["offset_s"] - start / sr) <= 0.2
            med = statistics.median(times) * 1000
            print("query (8 s phone-degraded clip), baseline: the 200 ms goal")
            print(f"  median {med:.0f} ms, worst {max(times) * 1000:.0f} ms, ratio to goal {med / 200:.2f}; "
                  f"right track and offset {right}/{args.queries}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
