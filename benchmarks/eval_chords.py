"""Chord recognition accuracy of the ``chords`` plugin: mir_eval weighted recall (majmin, root, sevenths).

Usage: python benchmarks/eval_chords.py [CORPUS] [--songs N]
The truth is exact: N songs rendered with fluidsynth from MIDI the generator writes (24 keys, 72-160 BPM, 3/4 and
4/4, piano / e-piano / organ / guitars / strings / pad; block chords, stabs, arpeggios; bass and drums). CORPUS is
accepted for symmetry with the other evaluation scripts and not read. Goal: majmin weighted recall >= 0.85.
Also printed: a naive baseline (librosa chroma, triad templates, the same HMM) on the same beats.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from types import SimpleNamespace

import mir_eval
import numpy as np

from eval_music_common import eval_songs, run_plugin, table


def scores(song, seg) -> dict[str, tuple[float, float]]:
    """metric -> (weighted accuracy, seconds) over the song's chord span (lead-in counted as N)."""
    ref_i = np.array([[0.0, song.chords[0][0]]] + [[a, b] for a, b, _ in song.chords])
    ref_l = ["N"] + [lab for *_, lab in song.chords]
    est_i, est_l = mir_eval.util.adjust_intervals(np.stack([seg.starts, seg.ends], 1), list(seg.texts),
                                                  ref_i.min(), ref_i.max(), "N", "N")
    ints, r, e = mir_eval.util.merge_labeled_intervals(ref_i, ref_l, est_i, est_l)
    dur = mir_eval.util.intervals_to_durations(ints)
    out = {}
    for name in ("root", "majmin", "sevenths"):
        comp = getattr(mir_eval.chord, name)(r, e)
        valid = comp >= 0
        out[name] = (mir_eval.chord.weighted_accuracy(comp, dur), float(dur[valid].sum()))
    return out


def naive_baseline(y: np.ndarray, sr: int, beats: np.ndarray):
    """The usual baseline: librosa CQT chroma averaged per beat, 24 triad templates + N, the same Viterbi."""
    import librosa

    from workbench.core.features.chroma import beat_sync
    from workbench.core.resample import resample_array
    from workbench_plugins.chords.decoder import NAMES, merge, viterbi
    from workbench_plugins.chords.plugin import beat_edges

    y22 = resample_array(y[None], sr, 22050)[0]
    chroma = librosa.feature.chroma_cqt(y=y22, sr=22050, hop_length=512).T
    times = np.arange(len(chroma)) * 512 / 22050
    edges = beat_edges(beats, len(y22) / 22050)
    sync = beat_sync(chroma, times, edges, "mean")
    labels, rows = [], []
    for q, ivs in (("maj", (0, 4, 7)), ("min", (0, 3, 7))):
        for r in range(12):
            t = np.zeros(12)
            t[[(r + i) % 12 for i in ivs]] = 1
            rows.append(t / np.linalg.norm(t))
            labels.append(f"{NAMES[r]}:{q}")
    norm = sync / np.maximum(np.linalg.norm(sync, axis=1, keepdims=True), 1e-9)
    scores = np.hstack([norm @ np.array(rows).T, np.full((len(sync), 1), 0.25)])
    path = viterbi(scores, 0.4)
    vocab = labels + ["N"]
    starts, ends, texts, _ = merge(edges, [vocab[i] for i in path], np.ones(len(path)))
    return starts, ends, texts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path, nargs="?")
    ap.add_argument("--songs", type=int, default=30)
    args = ap.parse_args()
    rows, tot = [], {"root": [0.0, 0.0], "majmin": [0.0, 0.0], "sevenths": [0.0, 0.0]}
    base_tot = [0.0, 0.0]
    for i, (song, y, sr) in enumerate(eval_songs(args.songs)):
        seg = run_plugin("chords", y, sr)[0]
        s = scores(song, seg)
        for k, (acc, w) in s.items():
            tot[k][0] += acc * w
            tot[k][1] += w
        beats = run_plugin("beats", y, sr)[0].starts
        b = scores(song, SimpleNamespace(**dict(zip(("starts", "ends", "texts"), naive_baseline(y, sr, beats)))))
        base_tot[0] += b["majmin"][0] * b["majmin"][1]
        base_tot[1] += b["majmin"][1]
        rows.append([f"song{i:02d}", song.key, f"{song.tempo:.0f}", f"{song.meter}/4", song.program, song.pattern,
                     s["root"][0], s["majmin"][0], s["sevenths"][0], b["majmin"][0]])
    print(table(rows, ["song", "key", "BPM", "meter", "program", "pattern", "root", "majmin", "sevenths",
                       "baseline majmin"]))
    print()
    summary = {k: v[0] / max(v[1], 1e-9) for k, v in tot.items()}
    print(f"songs: {len(rows)}  weighted recall  root {summary['root']:.3f}  majmin {summary['majmin']:.3f} "
          f"(goal >= 0.85)  sevenths {summary['sevenths']:.3f}")
    print(f"baseline (librosa chroma_cqt per beat, triad templates, same Viterbi): majmin "
          f"{base_tot[0] / max(base_tot[1], 1e-9):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
