"""Honest sound-event-detection scores: one fixed vocabulary, every class scored on every file, DCASE collars.

    python benchmarks/eval_sed.py /work/shared/corpus/sed [--soundscapes DIR] [--sed-eval-python PY]

Vocabulary (the corpus's classes): siren, car_horn, human_voice, speech. The detector runs with the same
settings on every file and is never told which classes a file holds. Its labels map to the vocabulary by
name (``VOCAB_OF``); "Speech" counts as both ``speech`` and ``human_voice`` (speech is a human voice: the
AudioSet ontology puts Speech under Human voice), so a speech detection in the scaper scenes (whose voice is
labelled human_voice) is a false ``speech`` event and one in the speech clips a false ``human_voice`` event.
The "ontology" rows apply that same rule to the references too (a speech reference is also a human_voice
reference), the way AudioSet-style hierarchical labels are usually scored; the strict rows are the headline.

Metrics (plugins/sed/scoring.py, sed_eval's definitions): event-based F1 with an onset collar of 0.2 s and an
offset collar of max(0.2 s, 20 % of the reference length), and segment-based F1 on 1 s segments, both
micro-averaged, plus per-class tables. ``--sed-eval-python`` recomputes both with sed_eval in another
interpreter on the same events, as a check of this implementation. When the package ``sed_scores_eval`` (the
DCASE Task 4 reference code) is importable, the PSDS (scenario 1: DTC = GTC = 0.7, no cross-trigger; scenario
2: DTC = GTC = 0.1, CTTC 0.3, alpha_ct 0.5; max eFPR 100/h) is printed too, from each vocabulary class's
score curve (the highest of the lanes mapped to it, on the 40 ms grid: plugins/sed/decoding.lane_curves), i.e.
without the decisions' thresholds. On a one-minute corpus one false alarm is already ~60 per hour, so its
PSDS says little; read it on the soundscapes.

Detectors: ``legacy`` is the plugin as it was (0.48 s hop, thresholds 0.5/0.3, 3-frame median, every
AudioSet class of the vocabulary); ``street`` is the "Street" preset with its calibrated decisions (fitted on
generated soundscapes by scripts/fit_sed_decisions.py, never on this corpus). ``--soundscapes DIR`` scores the
generated soundscapes too (scripts/make_sed_soundscapes.py writes them with ``NAME.txt`` truth beside each
``NAME.wav``); use a seed other than the one the decisions were fitted on.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.audio_io import load_audio  # noqa: E402
from workbench.core.models import default_store  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402
from workbench_plugins.sed import plugin  # noqa: E402
from workbench_plugins.sed.decoding import events_layer, lane_curves  # noqa: E402
from workbench_plugins.sed.events import join_intervals  # noqa: E402
from workbench_plugins.sed.scoring import SedScores  # noqa: E402

VOCABULARY = ("siren", "car_horn", "human_voice", "speech")
SIRENS = ["Siren", "Civil defense siren", "Police car (siren)", "Ambulance (siren)",
          "Fire engine, fire truck (siren)"]
HORNS = ["Vehicle horn, car horn, honking", "Air horn, truck horn", "Toot"]
VOICES = ["Shout", "Yell", "Children shouting", "Screaming"]
SPEECH = ["Speech", "Conversation", "Narration, monologue"]
# detector label -> vocabulary classes (AudioSet names for the legacy detector, preset names for the new one)
VOCAB_OF = {**{n: ("siren",) for n in SIRENS + ["Emergency vehicle"]}, **{n: ("car_horn",) for n in HORNS + ["Car horn"]},
            **{n: ("human_voice",) for n in VOICES}, **{n: ("speech", "human_voice") for n in SPEECH}}
LEGACY = {"preset": "named classes", "classes": "; ".join(SIRENS + HORNS + VOICES + SPEECH), "hop_s": 0.48,
          "calibrated": False, "on_threshold": 0.5, "off_threshold": 0.3, "median_s": 1.44, "min_duration": 0.5,
          "min_gap": 0.5, "use_vad": True}
DETECTORS = {"legacy": LEGACY, "street": {"preset": "street"}}


def corpus_items(corpus: Path) -> list[tuple[Path, list[tuple[float, float, str]]]]:
    """(wav, reference events) for the corpus files with onset/offset truth."""
    out = []
    for it in json.loads((corpus / "manifest.json").read_text()):
        truth = it["ground_truth"]
        events = truth.get("events") if isinstance(truth, dict) else truth
        if isinstance(events, list) and events and "onset" in events[0]:
            out.append((corpus / it["file"], [(e["onset"], e["offset"], e["label"]) for e in events]))
    return out


def soundscape_items(folder: Path) -> list[tuple[Path, list[tuple[float, float, str]]]]:
    out = []
    for wav in sorted(folder.glob("*.wav")):
        rows = [line.split("\t") for line in wav.with_suffix(".txt").read_text().splitlines() if line.strip()]
        out.append((wav, [(float(a), float(b), lab.strip()) for a, b, lab in rows]))
    return out


def to_vocabulary(layer) -> list[tuple[float, float, str]]:
    """The detector's events as vocabulary events (overlaps within a class joined)."""
    per: dict[str, list] = {c: [] for c in VOCABULARY}
    for a, b, lab in zip(layer.starts, layer.ends, layer.labels):
        for c in VOCAB_OF.get(str(lab), ()):
            per[c].append((float(a), float(b), 1.0))
    return [(a, b, c) for c in VOCABULARY for a, b, _ in join_intervals(per[c], 0.0)]


def with_ontology(ref: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """References with the parent class added: a speech event is also a human_voice event."""
    extra = [(a, b, "human_voice") for a, b, c in ref if c == "speech"]
    per = join_intervals([(a, b, 1.0) for a, b, c in ref + extra if c == "human_voice"], 0.0)
    return [e for e in ref if e[2] != "human_voice"] + [(a, b, "human_voice") for a, b, _ in per]


def vocabulary_curves(s, scores, duration: float, head) -> tuple:
    """(frame edges, (frames, len(VOCABULARY)) scores): each vocabulary class's curve is the highest of the
    curves of the lanes mapped to it (0 where no lane is)."""
    edges, curves = lane_curves(s, scores, duration, head)
    out = np.zeros((len(edges) - 1, len(VOCABULARY)), np.float32)
    for name, curve in curves.items():
        for c in VOCAB_OF.get(name, ()):
            k = VOCABULARY.index(c)
            out[:, k] = np.maximum(out[:, k], curve)
    return edges, out


def psds(curves: dict, refs: dict, durations: dict) -> dict[str, float] | str:
    """PSDS scenarios 1 and 2 with sed_scores_eval, or why not."""
    try:
        from sed_scores_eval import intersection_based
        from sed_scores_eval.base_modules.scores import create_score_dataframe
    except ImportError:
        return "sed_scores_eval is not installed"
    sc = {f: create_score_dataframe(scores=c, timestamps=e, event_classes=list(VOCABULARY))
          for f, (e, c) in curves.items()}
    gt = {f: [tuple(r) for r in refs[f]] for f in curves}
    out = {}
    try:
        for name, kw in (("PSDS1", dict(dtc_threshold=0.7, gtc_threshold=0.7, cttc_threshold=None, alpha_ct=0.0)),
                         ("PSDS2", dict(dtc_threshold=0.1, gtc_threshold=0.1, cttc_threshold=0.3, alpha_ct=0.5))):
            out[name] = float(intersection_based.psds(scores=sc, ground_truth=gt, audio_durations=durations,
                                                      alpha_st=1.0, unit_of_time="hour", max_efpr=100.0,
                                                      num_jobs=1, **kw)[0])
    except Exception as exc:  # noqa: BLE001 - an optional check must not stop the F1 tables
        return f"sed_scores_eval failed: {type(exc).__name__}: {exc}"
    return out


def evaluate(name: str, items, params: dict, ctx: JobContext, show_files: bool):
    scores, onto = SedScores(VOCABULARY), SedScores(VOCABULARY)
    dump, rtfs, curves = [], [], {}
    plugin.process(load_audio(items[0][0]), dict(params), ctx)  # warm-up (model loading is not timed)
    for wav, ref in items:
        audio = load_audio(wav)
        t = time.process_time()
        s, win_scores, regions, head = plugin.analyse(audio, dict(params), ctx)  # the same settings for every file
        layer = events_layer(s, win_scores, audio.duration, regions, head)  # = plugin.process
        rtfs.append((time.process_time() - t) / audio.duration)  # CPU time: the machine is shared
        curves[wav.name] = vocabulary_curves(s, win_scores, audio.duration, head)
        est = to_vocabulary(layer)
        scores.add_file(ref, est, audio.duration)
        onto.add_file(with_ontology(ref), est, audio.duration)
        dump.append({"file": wav.name, "duration": audio.duration, "ref": ref, "est": est})
        if show_files:
            fmt = lambda evs: ", ".join(f"{c} {a:.2f}-{b:.2f}" for a, b, c in sorted(evs, key=lambda e: e[2]))  # noqa: E731
            print(f"| {wav.name} | {fmt(ref)} | {fmt(est)} |")
    refs = {d["file"]: d["ref"] for d in dump}
    return scores, onto, dump, sorted(rtfs)[len(rtfs) // 2], psds(curves, refs, {d["file"]: d["duration"] for d in dump})


CHECK = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import sed_eval, dcase_util
data = json.load(open(sys.argv[1]))
labels = sys.argv[2].split(",")
ev = sed_eval.sound_event.EventBasedMetrics(event_label_list=labels, t_collar=0.2, percentage_of_length=0.2)
sg = sed_eval.sound_event.SegmentBasedMetrics(event_label_list=labels, time_resolution=1.0)
C = dcase_util.containers.MetaDataContainer
for d in data:
    ref = C([{"filename": d["file"], "event_label": c, "onset": a, "offset": b} for a, b, c in d["ref"]])
    est = C([{"filename": d["file"], "event_label": c, "onset": a, "offset": b} for a, b, c in d["est"]])
    ev.evaluate(ref, est)
    sg.evaluate(ref, est)
print(ev.results_overall_metrics()["f_measure"]["f_measure"], sg.results_overall_metrics()["f_measure"]["f_measure"])
"""


def sed_eval_check(python: str, dump: list) -> tuple[float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(dump, f)
    out = subprocess.run([python, "-c", CHECK, f.name, ",".join(VOCABULARY)], capture_output=True, text=True,
                         check=True)
    ev, sg = out.stdout.split()[-2:]
    return float(ev), float(sg)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, help="the corpus's sed folder (with manifest.json)")
    ap.add_argument("--soundscapes", type=Path, help="generated soundscapes (NAME.wav + NAME.txt)")
    ap.add_argument("--detectors", default="legacy,street", help="comma-separated: " + ", ".join(DETECTORS))
    ap.add_argument("--sed-eval-python", default="", help="an interpreter with sed_eval, to cross-check")
    ap.add_argument("--files", action="store_true", help="also print each file's reference and detected events")
    ap.add_argument("--threads", type=int, default=1, help="torch threads for the head (as bench_sed.py; the "
                                                          "CPU RTF counts every thread's time)")
    a = ap.parse_args()
    import torch

    torch.set_num_threads(a.threads)
    ctx = JobContext(device="cpu", models=default_store())
    sets = [("corpus", corpus_items(a.corpus))]
    if a.soundscapes:
        sets.append((f"soundscapes ({a.soundscapes.name})", soundscape_items(a.soundscapes)))
    summary = []
    for det in a.detectors.split(","):
        for set_name, items in sets:
            print(f"\n## detector '{det}' on {set_name}: {len(items)} files\n")
            if a.files:
                print("| file | reference | detected |\n|---|---|---|")
            scores, onto, dump, rtf, ps = evaluate(det, items, DETECTORS[det], ctx, a.files)
            print(("\n" if a.files else "") + scores.table())
            line = f"event F1 {scores.event_f1:.3f}, segment F1 {scores.segment_f1:.3f}, median CPU RTF {rtf:.4f}"
            if a.sed_eval_python:
                ev, sg = sed_eval_check(a.sed_eval_python, dump)
                line += f"; sed_eval: event F1 {ev:.3f}, segment F1 {sg:.3f}"
            print("\n" + line)
            print("PSDS: " + (", ".join(f"{k} {v:.3f}" for k, v in ps.items()) if isinstance(ps, dict) else ps))
            for kind, sc in (("strict", scores), ("ontology", onto)):
                summary.append(f"| {det} | {set_name} | {kind} | {sc.event_f1:.3f} | {sc.segment_f1:.3f} | "
                               + " | ".join(f"{sc.event[c].f1:.2f}" for c in VOCABULARY) + f" | {rtf:.4f} |")
    print("\n## summary (event F1: collars 0.2 s / max(0.2 s, 20 %); segments 1 s)\n")
    print("| detector | data | labels | event F1 | segment F1 | " + " | ".join(f"{c} event F1" for c in VOCABULARY)
          + " | CPU RTF |")
    print("|---" * (6 + len(VOCABULARY)) + "|")
    print("\n".join(summary))


if __name__ == "__main__":
    main()
