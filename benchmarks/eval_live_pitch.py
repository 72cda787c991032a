"""Raw pitch accuracy of the *live* pitch path at several latency settings, next to the offline plugin.

    python benchmarks/eval_live_pitch.py ../shared/corpus/pitch [--seconds 20] [--threads 1]
           [--settings 0.04:800:4000,0.02:160:4000] [--weights float,int8]

Each recording (resampled to 16 kHz) is fed hop by hop through the same :class:`PitchStream` the live panel
uses, and the frames it reports are scored like ``eval_pitch.py`` does (mir_eval, 50 cents; Keele and PTDB-TUG
get the one time offset per dataset that the offline run fits, reused for every setting). A setting is
``hop_s:lookahead:context`` (seconds between pushes; samples at 16 kHz needed after a frame before it is
reported; samples of past audio kept in front of it). ``--weights`` runs every setting with FCPE's float weights
and/or the int8 Linear weights the live panel uses on the CPU (``FcpeEstimator.int8_linears``).

Also per setting, on a synthetic sung-like burst after silence (no corpus involved):
- ``onset ms``: stream time from the burst onset until a push has reported a voiced frame within 10 Hz of the
  burst's f0 (the audio that had to arrive: lookahead, hop rounding, what the model needs to call it voiced);
- ``push ms``: median compute of one push (torch threads as given; the CPU may be shared, so it swings);
- ``live est. ms``: onset + push, i.e. the live latency before capture, resampling and the drain timer.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from eval_pitch import dataset_of, fit_dataset_offsets, read_manifest, read_truth, scores  # noqa: E402
from workbench.core.audio_io import load_audio  # noqa: E402
from workbench.core.devices import best_compute_device  # noqa: E402
from workbench.core.errors import WorkbenchError  # noqa: E402
from workbench.core.models import default_store  # noqa: E402
from workbench.core.params import resolve_params  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402
from workbench_plugins.pitch import plugin  # noqa: E402
from workbench_plugins.pitch.estimators import MODEL_RATE  # noqa: E402
from workbench_plugins.pitch.manifest import MANIFEST  # noqa: E402
from workbench_plugins.pitch.streaming import PitchStream  # noqa: E402

DEFAULT_SETTINGS = "0.04:800:4000,0.02:320:4000,0.02:160:4000,0.02:0:4000,0.02:160:1600"


def parse_settings(text: str) -> list[tuple[float, int, int]]:
    out = []
    for item in text.split(","):
        try:
            hop_s, lookahead, context = item.split(":")
            out.append((float(hop_s), int(lookahead), int(context)))
        except ValueError:
            raise WorkbenchError(f"bad setting '{item}': expected hop_s:lookahead:context, e.g. 0.02:160:4000")
        if out[-1][0] <= 0 or out[-1][1] < 0 or out[-1][2] < 0:
            raise WorkbenchError(f"bad setting '{item}': hop must be > 0, lookahead and context >= 0")
    return out


def run_stream(stream: PitchStream, y: np.ndarray, hop: int):
    """Feed ``y`` in hops; returns (times, raw f0, confidence, per-push seconds, samples pushed per frame)."""
    got = []

    def keep_raw(times, f0, conf, params):  # the Curve zeroes unvoiced f0; RPA wants the raw guess
        got.append((times, f0, conf, pushed[0]))
        return plugin.make_curve(times, f0, conf, params)

    pushed, took = [0], []
    stream._make_curve = keep_raw
    for i in range(0, len(y), hop):
        pushed[0] = min(len(y), i + hop)
        t = time.perf_counter()
        stream.push(y[i:i + hop], i / MODEL_RATE)
        took.append(time.perf_counter() - t)
    if not got:
        return np.zeros(0), np.zeros(0), np.zeros(0), took, np.zeros(0)
    cat = lambda k: np.concatenate([g[k] for g in got])  # noqa: E731
    at = np.concatenate([np.full(len(g[0]), g[3]) for g in got])
    return cat(0), cat(1), cat(2), took, at


def burst_onset_latency(estimator, params, hop_s: float, lookahead: int, context: int) -> float:
    """ms of stream time from a 220 Hz burst's onset until a correct voiced frame has been reported."""
    sr, onset = MODEL_RATE, int(0.5 * MODEL_RATE)
    t = np.arange(int(0.4 * sr)) / sr
    burst = sum(np.sin(2 * np.pi * k * 220 * t) / k for k in range(1, 7))
    y = np.zeros(int(1.2 * sr), np.float32)
    y[onset:onset + len(burst)] = 0.4 * burst / np.abs(burst).max()
    stream = PitchStream(estimator, params, context=context, lookahead=lookahead)
    times, f0, conf, _, at = run_stream(stream, y, max(1, int(round(hop_s * sr))))
    voiced = (conf >= params["threshold"]) & (np.abs(f0 - 220) < 10) & (times > onset / sr - 0.1)
    if not voiced.any():
        return float("nan")
    return 1000 * (at[np.flatnonzero(voiced)[0]] - onset) / sr


def pooled(rows: list[dict], key: str) -> float:
    return sum(r[key] * r["voiced"] for r in rows) / max(1, sum(r["voiced"] for r in rows))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, help="folder with manifest.json/csv, e.g. ../shared/corpus/pitch")
    ap.add_argument("--settings", default=DEFAULT_SETTINGS, help="comma-separated hop_s:lookahead:context")
    ap.add_argument("--model", default="fcpe", help="pitch model choice (fcpe, crepe-tiny, crepe-full)")
    ap.add_argument("--seconds", type=float, default=20.0, help="seconds of each recording to use (0: all)")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (the live bench uses 1)")
    ap.add_argument("--weights", default="float,int8",
                    help="comma-separated: float (the file plugin's model), int8 (the live panel's, FCPE on CPU)")
    args = ap.parse_args()
    if not (args.corpus / "manifest.json").is_file() and not (args.corpus / "manifest.csv").is_file():
        print(f"error: no manifest.json or manifest.csv in {args.corpus}", file=sys.stderr)
        return 2
    try:
        settings = parse_settings(args.settings)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(args.threads)
    ctx = JobContext(device=best_compute_device(), models=default_store())
    params = resolve_params(MANIFEST.params, {"model": args.model})
    from workbench_plugins.pitch.estimators import load_estimator

    estimator = load_estimator(args.model, ctx, plugin.frame_hop(params))
    items = []
    for e in read_manifest(args.corpus):
        audio = load_audio(args.corpus / e["file"])
        if args.seconds > 0:
            audio = audio.slice(0.0, min(audio.duration, args.seconds))
        ref_t, ref_f, unknown = read_truth(args.corpus / e["ground_truth"])
        items.append((e, audio, ref_t, ref_f, unknown))
    print(f"corpus {args.corpus}: {len(items)} recordings, {sum(a.duration for _, a, *_ in items):.0f} s used, "
          f"model {args.model}, device {ctx.device}, torch threads {torch.get_num_threads()}")

    # Offline reference (the plugin's chunked path); its runs fix the per-dataset clock offsets.
    offline = []
    for e, audio, ref_t, ref_f, unknown in items:
        times, f0, conf = plugin.raw_frames(audio, params, ctx)
        voiced = plugin.make_curve(times, f0, conf, params).voiced
        offline.append((e, ref_t, ref_f, unknown, times, f0, conf, voiced, 0.0))
    offsets = fit_dataset_offsets(offline)

    def score_all(runs) -> list[dict]:
        rows = []
        for e, ref_t, ref_f, unknown, times, f0, conf, voiced in runs:
            shift = offsets.get(dataset_of(e), 0.0) if unknown else 0.0
            rows.append(scores(ref_t + shift, ref_f, times, f0, voiced))
        return rows

    table = [("offline (plugin)", "-", "-", "-", score_all([r[:8] for r in offline]), float("nan"), float("nan"))]
    variants = {"float": estimator}
    if hasattr(estimator, "int8_linears"):
        variants["int8"] = estimator.int8_linears()
    weights = [w.strip() for w in args.weights.split(",") if w.strip() in variants]
    for (hop_s, lookahead, context), kind in ((s, w) for s in settings for w in weights):
        live = variants[kind]
        runs, took = [], []
        for e, audio, ref_t, ref_f, unknown in items:
            y = audio.mono(MODEL_RATE).samples[0].astype(np.float32)
            stream = PitchStream(live, params, context=context, lookahead=lookahead)
            times, f0, conf, t, _ = run_stream(stream, y, max(1, int(round(hop_s * MODEL_RATE))))
            took += t
            voiced = plugin.make_curve(times, f0, conf, params).voiced
            runs.append((e, ref_t, ref_f, unknown, times, f0, conf, voiced))
        onset = burst_onset_latency(live, params, hop_s, lookahead, context)
        table.append((f"live {1000 * hop_s:.0f} ms, {kind}", lookahead, context, f"{1000 * hop_s:.0f}",
                      score_all(runs), onset, 1000 * statistics.median(took)))

    print(f"\n{'setting':18s} {'lookahead':>9s} {'context':>7s} {'RPA':>6s} {'RPA-v':>6s} {'RCA':>6s} {'V-rec':>6s} "
          f"{'V-FA':>6s} {'onset ms':>8s} {'push ms':>7s} {'live est. ms':>12s}")
    for name, lookahead, context, _, rows, onset, push in table:
        la = f"{lookahead} ({1000 * lookahead / MODEL_RATE:.0f} ms)" if lookahead != "-" else "-"
        print(f"{name:18s} {la:>9s} {context!s:>7s} {pooled(rows, 'rpa'):6.3f} {pooled(rows, 'rpa_v'):6.3f} "
              f"{pooled(rows, 'rca'):6.3f} {statistics.mean(r['recall'] for r in rows):6.3f} "
              f"{statistics.mean(r['false_alarm'] for r in rows):6.3f} {onset:8.1f} {push:7.1f} {onset + push:12.1f}")
    print("RPA/RPA-v/RCA pooled over voiced reference frames; V-rec/V-FA: mean over recordings. "
          "onset/push/live est.: see the docstring (push times are medians on a possibly shared CPU).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
