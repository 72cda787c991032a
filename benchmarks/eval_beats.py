"""Beat, downbeat, meter and tempo accuracy of the ``beats`` plugin (mir_eval).

Usage: python benchmarks/eval_beats.py CORPUS [--songs N]
CORPUS is the evaluation corpus folder (``/work/shared/corpus``); its Ballroom clip (tagging/manifest.json,
tempo truth) is added to N fluidsynth-rendered songs (chords, bass, drums; 3/4 and 4/4; 72-160 BPM) whose beat
times are exact. Goals: beat F-measure >= 0.95, tempo within 4 %.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import mir_eval
import numpy as np

from eval_music_common import eval_songs, run_plugin, table


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--songs", type=int, default=30)
    args = ap.parse_args()
    rows, f_all, down_all, tempo_ok, meter_ok = [], [], [], [], []
    for i, (song, y, sr) in enumerate(eval_songs(args.songs)):
        beats, tempo = run_plugin("beats", y, sr)[:2]
        est, pos = beats.starts, np.array([int(lab) for lab in beats.labels])
        f = mir_eval.beat.f_measure(song.beats, est)
        fd = mir_eval.beat.f_measure(song.downbeats, est[pos == 1])
        bpm = beats.metadata["bpm"]
        ok = abs(bpm / song.tempo - 1) <= 0.04
        f_all.append(f), down_all.append(fd), tempo_ok.append(ok)
        meter_ok.append(beats.metadata["beats_per_bar"] == song.meter)
        rows.append([f"song{i:02d}", f"{song.tempo:.1f}", f"{song.meter}/4", f"{bpm:.1f}", beats.metadata["meter"],
                     f, fd, "yes" if ok else "NO"])
    ballroom = args.corpus / "tagging"
    for item in json.loads((ballroom / "manifest.json").read_text()):
        if "ballroom" not in item["file"].lower():
            continue
        import soundfile as sf

        y, sr = sf.read(ballroom / item["file"], dtype="float32", always_2d=True)
        beats = run_plugin("beats", y.mean(axis=1), sr)[0]
        truth, bpm = float(item["ground_truth"]["tempo_bpm"]), beats.metadata["bpm"]
        ok = abs(bpm / truth - 1) <= 0.04
        tempo_ok.append(ok)
        rows.append([Path(item["file"]).stem, f"{truth:.1f}", "-", f"{bpm:.1f}", beats.metadata["meter"], "-", "-",
                     "yes" if ok else "NO"])
    print(table(rows, ["item", "true BPM", "true meter", "est BPM", "est meter", "beat F", "downbeat F", "tempo 4%"]))
    print()
    print(f"songs: {len(f_all)}  beat F-measure mean {np.mean(f_all):.3f} (goal >= 0.95)  "
          f"downbeat F {np.mean(down_all):.3f}  meter right {np.mean(meter_ok):.0%}")
    print(f"tempo within 4%: {sum(tempo_ok)}/{len(tempo_ok)} ({np.mean(tempo_ok):.0%}, goal 100%)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
