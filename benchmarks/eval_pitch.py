"""Evaluate the pitch plugin on a corpus of recordings with f0 ground truth.

    python benchmarks/eval_pitch.py ../shared/corpus/pitch [--models fcpe,crepe-tiny] [--sweep] [--threads 1]

The corpus folder holds ``manifest.json`` (or ``manifest.csv``) listing each recording's ``file`` and
``ground_truth`` (paths relative to the folder). Ground-truth formats understood:
  * ``time,f0`` CSV without header (vocadito, MDB-stem-synth): times as given;
  * ``frame,period_samples_20kHz,f0_hz`` CSV (Keele): 10 ms frames, period -1 = uncertain (left out);
  * whitespace table ``f0 voicing ...`` (PTDB-TUG REF ``.f0``): 10 ms frames.
Keele and PTDB-TUG do not state where their frame 0 is centred, so for each of them the script fits ONE time
offset shared by all its recordings and all models (-40..+40 ms, the best raw pitch accuracy of the first model
listed over the dataset's pooled frames) and prints it; the other sets are scored on their own clocks. For
comparison the table also shows RPA with an offset fitted per file (``RPA-pf``, what this script used to report:
it flatters files whose clock is really off).

Metrics (mir_eval.melody, 50 cents): raw pitch accuracy (RPA; the pitch of frames marked unvoiced still
counts, as MIREX does), RPA counting only frames the plugin marks voiced (RPA-v), raw chroma accuracy,
voicing recall and false alarm; RTF = processing seconds per second of audio (model already loaded).
"""

from __future__ import annotations

import argparse
import csv
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.audio_io import load_audio  # noqa: E402
from workbench.core.devices import best_compute_device  # noqa: E402
from workbench.core.models import default_store  # noqa: E402
from workbench.core.params import resolve_params  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402
from workbench_plugins.pitch import plugin  # noqa: E402
from workbench_plugins.pitch.manifest import MANIFEST  # noqa: E402

OFFSET_SEARCH_S = np.arange(-0.040, 0.0401, 0.0025)


def read_manifest(corpus: Path) -> list[dict]:
    if (corpus / "manifest.json").is_file():
        return json.loads((corpus / "manifest.json").read_text())
    with open(corpus / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


def read_truth(path: Path) -> tuple[np.ndarray, np.ndarray, bool]:
    """(times s, f0 Hz with 0 = unvoiced, whether the frame clock's origin is unknown)."""
    text = path.read_text().replace("\r", "")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if "f0_hz" in lines[0] and "frame" in lines[0]:  # Keele
        rows = list(csv.DictReader(lines))
        frame = np.array([float(r["frame"]) for r in rows])
        period = np.array([float(r["period_samples_20kHz"]) for r in rows])
        f0 = np.array([float(r["f0_hz"]) for r in rows])
        ok = period >= 0  # -1: the laryngograph was unsure; leave those frames out
        return frame[ok] * 0.01, np.where(period[ok] > 0, f0[ok], 0.0), True
    if "," in lines[0]:  # time,f0
        arr = np.array([[float(v) for v in ln.split(",")[:2]] for ln in lines])
        return arr[:, 0], np.maximum(arr[:, 1], 0.0), False
    arr = np.array([[float(v) for v in ln.split()] for ln in lines])  # PTDB-TUG REF: f0, voicing, ...
    f0 = np.where(arr[:, 1] > 0, arr[:, 0], 0.0) if arr.shape[1] > 1 else arr[:, 0]
    return np.arange(len(arr)) * 0.01, f0, True


def scores(ref_t, ref_f, times, f0, voiced) -> dict:
    import mir_eval

    inside = (ref_t >= times[0]) & (ref_t <= times[-1])  # a shifted clock may reach past the ends
    ref_t, ref_f = ref_t[inside], ref_f[inside]
    signed = np.where(voiced, f0, -f0)  # mir_eval: negative = unvoiced, with its pitch guess
    rv, rc, ev, ec = mir_eval.melody.to_cent_voicing(ref_t, ref_f, times, signed)
    rv2, rc2, ev2, ec2 = mir_eval.melody.to_cent_voicing(ref_t, ref_f, times, np.where(voiced, f0, 0.0))
    recall, false_alarm = mir_eval.melody.voicing_measures(rv, ev)
    return {
        "voiced": int(np.sum(ref_f > 0)),
        "rpa": mir_eval.melody.raw_pitch_accuracy(rv, rc, ev, ec),
        "rpa_v": mir_eval.melody.raw_pitch_accuracy(rv2, rc2, ev2, ec2),
        "rca": mir_eval.melody.raw_chroma_accuracy(rv, rc, ev, ec),
        "recall": recall, "false_alarm": false_alarm,
    }


def dataset_of(entry: dict) -> str:
    return Path(entry["file"]).parts[0]


def fit_dataset_offsets(runs) -> dict[str, float]:
    """For each dataset with an unknown frame origin, the one offset with the best RPA over all its frames."""
    by_set: dict[str, list] = {}
    for e, ref_t, ref_f, unknown, times, f0, _, voiced, _ in runs:
        if unknown:
            by_set.setdefault(dataset_of(e), []).append((ref_t, ref_f, times, f0, voiced))
    fitted = {}
    for name, items in by_set.items():
        def pooled_rpa(o, items=items):
            parts = [scores(r_t + o, r_f, t, f, v) for r_t, r_f, t, f, v in items]
            return sum(p["rpa"] * p["voiced"] for p in parts) / max(1, sum(p["voiced"] for p in parts))
        fitted[name] = float(max(OFFSET_SEARCH_S, key=pooled_rpa))
    return fitted


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path, help="folder with manifest.json/csv, e.g. ../shared/corpus/pitch")
    ap.add_argument("--models", default="fcpe,crepe-tiny", help="comma-separated model choices")
    ap.add_argument("--threshold", type=float, default=None, help="voicing threshold (default: the plugin's)")
    ap.add_argument("--sweep", action="store_true", help="also print voicing recall / false alarm per threshold")
    ap.add_argument("--live", action="store_true",
                    help="also time the streaming tracker: ms per 100 ms hop against the real-time budget")
    ap.add_argument("--threads", type=int, default=None,
                    help="torch intra-op threads (1 avoids spin-waiting on a machine shared with other work)")
    args = ap.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    entries = read_manifest(args.corpus)
    ctx = JobContext(device=best_compute_device(), models=default_store())
    import torch

    print(f"corpus {args.corpus} ({len(entries)} recordings), device {ctx.device}, torch threads {torch.get_num_threads()}")
    offsets: dict[str, float] = {}  # dataset (first folder of the file) -> its one offset
    per_file: dict[str, float] = {}  # the old way, for the comparison column only
    for model in args.models.split(","):
        given = {"model": model} | ({"threshold": args.threshold} if args.threshold is not None else {})
        params = resolve_params(MANIFEST.params, given)
        from workbench_plugins.pitch.estimators import load_estimator

        load_estimator(model, ctx, plugin.frame_hop(params))  # load once, outside the timings
        runs = []
        for e in entries:
            audio = load_audio(args.corpus / e["file"])
            ref_t, ref_f, unknown_origin = read_truth(args.corpus / e["ground_truth"])
            t0 = time.perf_counter()
            times, f0, conf = plugin.raw_frames(audio, params, ctx)
            curve = plugin.make_curve(times, f0, conf, params)
            rtf = (time.perf_counter() - t0) / audio.duration
            runs.append((e, ref_t, ref_f, unknown_origin, times, f0, conf, curve.voiced, rtf))
        if not offsets:  # fitted once (first model), then reused for every model
            offsets.update(fit_dataset_offsets(runs))
            per_file.update({e["file"]: max(OFFSET_SEARCH_S, key=lambda o: scores(
                ref_t + o, ref_f, times, f0, voiced)["rpa"])
                for e, ref_t, ref_f, unknown, times, f0, _, voiced, _ in runs if unknown})
            for name, o in offsets.items():
                print(f"dataset {name}: one time offset {1000 * o:+.1f} ms for all its files")
        rows, sweep = [], []
        for e, ref_t, ref_f, unknown_origin, times, f0, conf, voiced, rtf in runs:
            shift = offsets.get(dataset_of(e), 0.0) if unknown_origin else 0.0
            s = scores(ref_t + shift, ref_f, times, f0, voiced) | {"file": e["file"], "rtf": rtf, "shift": shift}
            old = per_file.get(e["file"])
            s["rpa_pf"] = scores(ref_t + old, ref_f, times, f0, voiced)["rpa"] if old is not None else s["rpa"]
            rows.append(s)
            if args.sweep:
                sweep.append([scores(ref_t + shift, ref_f, times, f0, conf >= th) for th in np.arange(0.1, 0.95, 0.1)])
        print_table(model, params["threshold"], rows)
        if args.sweep:
            print(f"voicing sweep ({model}): threshold  mean recall  mean false alarm")
            for i, th in enumerate(np.arange(0.1, 0.95, 0.1)):
                print(f"  {th:.1f}  {statistics.mean(r[i]['recall'] for r in sweep):.3f}"
                      f"  {statistics.mean(r[i]['false_alarm'] for r in sweep):.3f}")
    if args.live:
        time_stream(args.corpus / entries[0]["file"], args.models.split(","), ctx)
    return 0


def time_stream(path: Path, models: list[str], ctx: JobContext, hop_s: float = 0.1, seconds: float = 20.0) -> None:
    """Median and worst time of ``push`` per live hop, against the hop's own duration (real time)."""
    audio = load_audio(path).slice(0.0, seconds).mono(16000)
    x, hop = audio.samples[0], int(hop_s * 16000)
    print(f"\nlive pitch on {audio.duration:.0f} s of {path.name}, {1000 * hop_s:.0f} ms hops (baseline: real time)")
    print(f"{'model':12s} {'median ms':>9s} {'max ms':>7s} {'budget ms':>9s} {'median/budget':>13s}")
    for model in models:
        processor = plugin.stream(resolve_params(MANIFEST.params, {"model": model}), ctx)
        took = []
        for i in range(0, len(x) - hop + 1, hop):
            t0 = time.perf_counter()
            processor.push(x[i:i + hop], i / 16000)
            took.append(1000 * (time.perf_counter() - t0))
        med = statistics.median(took)
        print(f"{model:12s} {med:9.1f} {max(took):7.1f} {1000 * hop_s:9.0f} {med / (1000 * hop_s):13.2f}")


def print_table(model: str, threshold: float, rows: list[dict]) -> None:
    print(f"\nmodel {model}, voicing threshold {threshold:g}, 50-cent tolerance")
    head = (f"{'file':52s} {'voiced':>6s} {'RPA':>6s} {'RPA-v':>6s} {'RCA':>6s} {'V-rec':>6s} {'V-FA':>6s} "
            f"{'RTF':>6s} {'t-shift':>8s} {'RPA-pf':>6s}")
    print(head)
    print("-" * len(head))
    for r in rows:
        shift = f"{1000 * r['shift']:+.1f}ms" if r["shift"] else "-"
        print(f"{r['file'][:52]:52s} {r['voiced']:6d} {r['rpa']:6.3f} {r['rpa_v']:6.3f} {r['rca']:6.3f} "
              f"{r['recall']:6.3f} {r['false_alarm']:6.3f} {r['rtf']:6.3f} {shift:>8s} {r['rpa_pf']:6.3f}")
    mean = lambda k: statistics.mean(r[k] for r in rows)  # noqa: E731
    print(f"{'mean':52s} {sum(r['voiced'] for r in rows):6d} {mean('rpa'):6.3f} {mean('rpa_v'):6.3f} "
          f"{mean('rca'):6.3f} {mean('recall'):6.3f} {mean('false_alarm'):6.3f} {mean('rtf'):6.3f} {'':>8s} "
          f"{mean('rpa_pf'):6.3f}")


if __name__ == "__main__":
    sys.exit(main())
