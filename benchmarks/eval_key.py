"""Key accuracy of the ``key`` plugin: mir_eval key weighted score (MIREX: 1 right, 0.5 fifth, 0.3 relative,
0.2 parallel) of the global key.

Usage: python benchmarks/eval_key.py [CORPUS] [--songs N]
N fluidsynth-rendered songs in all 24 keys (exact truth from the generator). CORPUS is accepted for symmetry and
not read. Goal: weighted score >= 0.9.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import mir_eval
import numpy as np

from eval_music_common import eval_songs, run_plugin, table


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, nargs="?")
    ap.add_argument("--songs", type=int, default=30)
    args = ap.parse_args()
    rows, weighted = [], []
    for i, (song, y, sr) in enumerate(eval_songs(args.songs)):
        seg = run_plugin("key", y, sr)[0]
        est = seg.metadata["global_key"]
        score = mir_eval.key.weighted_score(song.key, est)
        weighted.append(score)
        rows.append([f"song{i:02d}", song.key, est, seg.metadata["global_confidence"], len(seg), score])
    print(table(rows, ["song", "true key", "estimated", "confidence", "segments", "weighted"]))
    print()
    print(f"songs: {len(rows)}  key weighted score {np.mean(weighted):.3f} (goal >= 0.9)  "
          f"exact {np.mean([w == 1.0 for w in weighted]):.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
