"""Honest sound-event-detection scores: one fixed vocabulary, every class scored on every file, DCASE collars.

    python benchmarks/eval_sed.py /work/shared/corpus/sed [--soundscapes DIR] [--sed-eval-python PY]
                                  [--psds-python PY] [--detectors legacy,street] [--files]

Vocabulary (the corpus's classes, siblings in its flat label set): siren, car_horn, human_voice, speech. The
detector runs with the same settings on every file and is never told which classes a file holds. Its labels map
to the vocabulary by one of three rules (plugins/sed/vocabulary.py), each printed as a row of the summary:

- ``flat`` (the headline): each detector label counts as exactly one class (Speech, Conversation, Narration
  -> speech; Shout, Yell, Screaming... -> human_voice), references as labelled. This rule is symmetric: a
  perfect detector (the references fed back as detections) scores F1 1.0.
- ``ontology`` (secondary view): AudioSet's hierarchy, Speech under Human voice, applied to the references
  and the detections alike (a speech event is also a human_voice event on both sides).
- ``asymmetric`` (the rule used until now, kept so the change is visible): a speech detection also counts as
  human_voice, the references are not expanded. It charges a perfect detector a false human_voice event for
  every speech event: on a file holding speech alone its event F1 cannot pass 2/3, and the corpus's own
  references fed back as detections score 0.80 under it (1.0 under the other two rules), so it was not a
  fair headline. (tests/plugins/test_sed_scoring.py checks all three.)

Metrics (plugins/sed/scoring.py, sed_eval's definitions): event-based F1 with an onset collar of 0.2 s and an
offset collar of max(0.2 s, 20 % of the reference length), and segment-based F1 on 1 s segments, both
micro-averaged, plus per-class tables. ``--sed-eval-python`` recomputes both with sed_eval in another
interpreter on the same events, as a check of this implementation. ``--psds-python`` computes the PSDS
(scenario 1: DTC = GTC = 0.7, no cross-trigger; scenario 2: DTC = GTC = 0.1, CTTC 0.3, alpha_ct 0.5; alpha_st
1, max eFPR 100/h) with ``sed_scores_eval`` (the DCASE Task 4 reference code; not in the lock, as it builds a
C++ extension: install it into a separate venv) in that interpreter, from each vocabulary class's score curve
under the flat rule (the highest of the lanes mapped to it, on the 40 ms grid: plugins/sed/decoding.lane_curves),
i.e. without the decisions' thresholds, over the classes with reference events in the set (back-to-back
reference events joined: sed_scores_eval refuses connected events). On a one-minute
corpus one false alarm is already ~60 per hour, so its PSDS says little; read it on the soundscapes.

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
from workbench_plugins.sed.vocabulary import (FLAT, HORNS, RULES, SIRENS, SPEECH, VOCABULARY, VOICES,  # noqa: E402
                                              detections, references)

AUDIOSET_HORNS = [n for n in HORNS if n != "Car horn"]  # "Car horn" is the street preset's lane, not AudioSet's
LEGACY = {"preset": "named classes", "classes": "; ".join(SIRENS[:-1] + tuple(AUDIOSET_HORNS) + VOICES + SPEECH),
          "hop_s": 0.48,
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


def vocabulary_curves(s, scores, duration: float, head) -> tuple:
    """(frame edges, (frames, len(VOCABULARY)) scores): each vocabulary class's curve is the highest of the
    curves of the lanes mapped to it (0 where no lane is)."""
    edges, curves = lane_curves(s, scores, duration, head)
    out = np.zeros((len(edges) - 1, len(VOCABULARY)), np.float32)
    for name, curve in curves.items():
        if name in FLAT:  # the headline (flat) rule: one class per lane
            k = VOCABULARY.index(FLAT[name])
            out[:, k] = np.maximum(out[:, k], curve)
    return edges, out


PSDS_SCRIPT = r"""
import json, sys
import numpy as np
from sed_scores_eval import intersection_based
from sed_scores_eval.base_modules.scores import create_score_dataframe
z, meta = np.load(sys.argv[1]), json.load(open(sys.argv[2]))
classes, files = meta["classes"], meta["files"]
scores = {f: create_score_dataframe(scores=z[f"s{i}"], timestamps=z[f"e{i}"], event_classes=classes)
          for i, f in enumerate(files)}
gt = {f: [tuple(r) for r in meta["refs"][f]] for f in files}  # back-to-back events already joined
out = {}
for name, kw in (("PSDS1", dict(dtc_threshold=0.7, gtc_threshold=0.7, cttc_threshold=None, alpha_ct=0.0)),
                 ("PSDS2", dict(dtc_threshold=0.1, gtc_threshold=0.1, cttc_threshold=0.3, alpha_ct=0.5))):
    out[name] = float(intersection_based.psds(scores=scores, ground_truth=gt, audio_durations=meta["durations"],
                                              alpha_st=1.0, unit_of_time="hour", max_efpr=100.0, num_jobs=1,
                                              **kw)[0])
print(json.dumps(out))
"""


def touching_joined(ref: list[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """References with back-to-back events of one class joined: sed_scores_eval refuses connected events (its
    intersection criteria could not tell them apart)."""
    out = []
    for c in VOCABULARY:
        out += [(a, b, c) for a, b, _ in join_intervals([(a, b, 1.0) for a, b, lab in ref if lab == c], 0.0)]
    return out


def psds(python: str, curves: dict, refs: dict, durations: dict) -> dict[str, float] | str:
    """PSDS scenarios 1 and 2 computed by sed_scores_eval in the interpreter ``python`` (it is not in this
    project's lock: a C++ extension), from the flat rule's class curves, over the classes that have reference
    events in this set (a class without any has no true-positive rate); or why not."""
    if not python:
        return "not computed (give --psds-python, an interpreter with sed_scores_eval)"
    present = [c for c in VOCABULARY if any(r[2] == c for evs in refs.values() for r in evs)]
    keep = [VOCABULARY.index(c) for c in present]
    files = sorted(curves)
    with tempfile.TemporaryDirectory() as d:
        arrays = {}
        for i, f in enumerate(files):
            edges, scores = curves[f]
            arrays[f"e{i}"], arrays[f"s{i}"] = edges, scores[:, keep]
        np.savez(Path(d) / "curves.npz", **arrays)
        stem = {f: Path(f).stem for f in files}  # audio ids without the extension
        meta = {"classes": present, "files": [stem[f] for f in files],
                "refs": {stem[f]: [list(r) for r in touching_joined(refs[f])] for f in files},
                "durations": {stem[f]: durations[f] for f in files}}
        (Path(d) / "meta.json").write_text(json.dumps(meta))
        run = subprocess.run([python, "-c", PSDS_SCRIPT, str(Path(d) / "curves.npz"), str(Path(d) / "meta.json")],
                             capture_output=True, text=True)
    if run.returncode != 0:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        return f"sed_scores_eval failed in {python}: {last}"
    out = json.loads(run.stdout.strip().splitlines()[-1])
    return {**out, "classes": ", ".join(present)}


def evaluate(name: str, items, params: dict, ctx: JobContext, show_files: bool, psds_python: str = ""):
    by_rule = {rule: SedScores(VOCABULARY) for rule in RULES}
    dump, rtfs, curves = [], [], {}
    plugin.process(load_audio(items[0][0]), dict(params), ctx)  # warm-up (model loading is not timed)
    for wav, ref in items:
        audio = load_audio(wav)
        t = time.process_time()
        s, win_scores, regions, head = plugin.analyse(audio, dict(params), ctx)  # the same settings for every file
        layer = events_layer(s, win_scores, audio.duration, regions, head)  # = plugin.process
        rtfs.append((time.process_time() - t) / audio.duration)  # CPU time: the machine is shared
        curves[wav.name] = vocabulary_curves(s, win_scores, audio.duration, head)
        rows = list(zip(layer.starts, layer.ends, layer.labels))
        for rule, sc in by_rule.items():
            sc.add_file(references(ref, rule), detections(rows, rule), audio.duration)
        est = detections(rows, "flat")
        dump.append({"file": wav.name, "duration": audio.duration, "ref": ref, "est": est})
        if show_files:
            fmt = lambda evs: ", ".join(f"{c} {a:.2f}-{b:.2f}" for a, b, c in sorted(evs, key=lambda e: e[2]))  # noqa: E731
            print(f"| {wav.name} | {fmt(ref)} | {fmt(est)} |")
    refs = {d["file"]: d["ref"] for d in dump}
    return by_rule, dump, sorted(rtfs)[len(rtfs) // 2], psds(psds_python, curves, refs,
                                                                    {d["file"]: d["duration"] for d in dump})


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
    ap.add_argument("--psds-python", default="", help="an interpreter with sed_scores_eval, to compute the PSDS")
    ap.add_argument("--files", action="store_true", help="also print each file's reference and detected events")
    ap.add_argument("--threads", type=int, default=1, help="torch threads for the head (as bench_sed.py; the "
                                                          "CPU RTF counts every thread's time)")
    a = ap.parse_args()
    if not (a.corpus / "manifest.json").is_file():
        ap.error(f"{a.corpus} has no manifest.json (give the corpus's sed folder)")
    if a.soundscapes and not sorted(a.soundscapes.glob("*.wav")):
        ap.error(f"{a.soundscapes} holds no .wav soundscapes (scripts/make_sed_soundscapes.py writes them)")
    unknown = [d for d in a.detectors.split(",") if d not in DETECTORS]
    if unknown:
        ap.error(f"unknown detector(s) {', '.join(unknown)}; choose from {', '.join(DETECTORS)}")
    for opt in ("sed_eval_python", "psds_python"):
        if getattr(a, opt) and not Path(getattr(a, opt)).is_file():
            ap.error(f"--{opt.replace('_', '-')} {getattr(a, opt)}: no such interpreter")
    import torch

    torch.set_num_threads(a.threads)
    ctx = JobContext(device="cpu", models=default_store())
    sets = [("corpus", corpus_items(a.corpus))]
    if a.soundscapes:
        sets.append((f"soundscapes ({a.soundscapes.name})", soundscape_items(a.soundscapes)))
    summary, psds_rows = [], []
    for det in a.detectors.split(","):
        for set_name, items in sets:
            print(f"\n## detector '{det}' on {set_name}: {len(items)} files\n")
            if a.files:
                print("| file | reference | detected |\n|---|---|---|")
            by_rule, dump, rtf, ps = evaluate(det, items, DETECTORS[det], ctx, a.files, a.psds_python)
            scores = by_rule["flat"]
            print(("\n" if a.files else "") + scores.table())
            line = f"event F1 {scores.event_f1:.3f}, segment F1 {scores.segment_f1:.3f}, median CPU RTF {rtf:.4f}"
            if a.sed_eval_python:
                ev, sg = sed_eval_check(a.sed_eval_python, dump)
                line += f"; sed_eval: event F1 {ev:.3f}, segment F1 {sg:.3f}"
            print("\n" + line)
            print("PSDS: " + (", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k}: {v}"
                                        for k, v in ps.items()) if isinstance(ps, dict) else ps))
            if isinstance(ps, dict):
                psds_rows.append(f"| {det} | {set_name} | {ps['PSDS1']:.3f} | {ps['PSDS2']:.3f} | {ps['classes']} |")
            for kind, sc in by_rule.items():
                summary.append(f"| {det} | {set_name} | {kind} | {sc.event_f1:.3f} | {sc.segment_f1:.3f} | "
                               + " | ".join(f"{sc.event[c].f1:.2f}" for c in VOCABULARY) + f" | {rtf:.4f} |")
    print("\n## summary (event F1: collars 0.2 s / max(0.2 s, 20 %); segments 1 s)\n")
    print("| detector | data | rule | event F1 | segment F1 | " + " | ".join(f"{c} event F1" for c in VOCABULARY)
          + " | CPU RTF |")
    print("|---" * (6 + len(VOCABULARY)) + "|")
    print("\n".join(summary))
    if psds_rows:
        print("\n## PSDS (sed_scores_eval; flat rule; max eFPR 100/h)\n")
        print("| detector | data | PSDS1 | PSDS2 | classes |\n|---|---|---|---|---|")
        print("\n".join(psds_rows))


if __name__ == "__main__":
    main()
