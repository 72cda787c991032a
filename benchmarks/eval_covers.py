"""Cover-search evaluation: mean average precision and the rank of each true cover on a covers corpus.

Usage: python benchmarks/eval_covers.py ../shared/corpus/covers [--rerank N]

The corpus folder holds ``manifest.csv`` (file, work_id, ...) and ``pairs.csv`` (query, reference, same_work).
Every file is indexed into a fresh temporary library; each file then queries the library (itself excluded).
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path


def average_precision(ranked: list[str], relevant: set[str]) -> float:
    hits, total = 0, 0.0
    for i, item in enumerate(ranked, 1):
        if item in relevant:
            hits += 1
            total += hits / i
    return total / max(1, len(relevant))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="folder with manifest.csv, pairs.csv and the audio files")
    ap.add_argument("--rerank", type=int, default=50)
    args = ap.parse_args(argv)

    from workbench.core.audio_io import load_audio
    from workbench_plugins.cover_search.features import analyse_samples
    from workbench_plugins.cover_search.library import Library
    from workbench_plugins.cover_search.query import CoverSearcher

    corpus = Path(args.corpus).resolve()
    files = [r["file"] for r in csv.DictReader(open(corpus / "manifest.csv"))]
    relevant: dict[str, set[str]] = {f: set() for f in files}
    for r in csv.DictReader(open(corpus / "pairs.csv")):
        if r["same_work"].strip().lower() == "true":
            relevant[r["query"]].add(r["reference"])
            relevant[r["reference"]].add(r["query"])
    with tempfile.TemporaryDirectory() as tmp:
        lib = Library(Path(tmp) / "lib.sqlite")
        t0 = time.perf_counter()
        feats = {}
        for f in files:
            buf = load_audio(corpus / f)
            feats[f] = analyse_samples(buf.mono_samples, buf.sample_rate)
            lib.put(str(corpus / f), feats[f], title=f)
        index_s = time.perf_counter() - t0
        searcher = CoverSearcher(lib)
        aps, rows, q_times = [], [], []
        for f in files:
            t = time.perf_counter()
            matches = searcher.query(feats[f], top_k=len(files), rerank=args.rerank, exclude=str(corpus / f))
            q_times.append(time.perf_counter() - t)
            ranked = [Path(m.item).name for m in matches]
            ap_ = average_precision(ranked, relevant[f])
            aps.append(ap_)
            for ref in sorted(relevant[f]):
                m = matches[ranked.index(ref)] if ref in ranked else None
                rows.append((f, ref, ranked.index(ref) + 1 if ref in ranked else -1,
                             f"{m.score:.3f}" if m else "-", m.transposition if m else "-",
                             f"{m.tempo_ratio:.2f}" if m else "-"))
        lib.close()
    print(f"{'query':18s} {'true cover':18s} rank  score  transp  tempo")
    for r in rows:
        print(f"{r[0]:18s} {r[1]:18s} {r[2]:4d}  {r[3]:5s}  {str(r[4]):6s}  {r[5]}")
    print(f"\nMAP = {sum(aps) / len(aps):.3f} over {len(aps)} queries (goal >= 0.9); "
          f"indexing {len(files) / index_s:.2f} tracks/s; median query {sorted(q_times)[len(q_times) // 2] * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
