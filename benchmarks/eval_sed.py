"""Event-based F1 of the sound-event plugin on the corpus's scaper soundscapes and speech-activity clips.

    python benchmarks/eval_sed.py ../shared/corpus/sed [--collar 0.2] [--sed-eval-python /tmp/sedvenv/bin/python]

Files with onset/offset ground truth are used (scaper soundscapes: siren, car_horn, human_voice; speechbrain
VAD clips: speech). Corpus labels map to AudioSet classes (a label's events are the union of its classes'
events). Metrics follow sed_eval's definitions: event-based (onset within ``collar`` s, offset within
max(collar, 50 % of the reference length); optimal one-to-one matching per class; micro-averaged F1 over
classes), and segment-based F1 on 1 s segments. ``--sed-eval-python`` runs sed_eval in another interpreter
(sed_eval is not a project dependency) on the same events to check this implementation.
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
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.audio_io import load_audio  # noqa: E402
from workbench.core.devices import best_compute_device  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402
from workbench_plugins.sed import plugin  # noqa: E402
from workbench_plugins.sed.events import join_intervals  # noqa: E402

CLASSES = {
    "siren": ["Siren", "Civil defense siren", "Police car (siren)", "Ambulance (siren)", "Fire engine, fire truck (siren)"],
    "car_horn": ["Vehicle horn, car horn, honking", "Air horn, truck horn", "Toot"],
    "human_voice": ["Speech", "Shout", "Yell", "Conversation"],
    "speech": ["Speech", "Conversation", "Narration, monologue"],
}


def event_counts(ref, est, collar: float) -> tuple[int, int, int]:
    """(true positives, n reference, n estimated) for one class; events are (onset, offset)."""
    if not ref or not est:
        return 0, len(ref), len(est)
    ok = np.zeros((len(ref), len(est)), bool)
    for i, (ro, rf) in enumerate(ref):
        off_collar = max(collar, 0.5 * (rf - ro))
        for j, (eo, ef) in enumerate(est):
            ok[i, j] = abs(eo - ro) <= collar and abs(ef - rf) <= off_collar
    match = maximum_bipartite_matching(csr_matrix(ok.astype(np.int8)), perm_type="column")
    return int((match >= 0).sum()), len(ref), len(est)


def segment_counts(ref, est, duration: float, seg: float = 1.0) -> tuple[int, int, int]:
    n = int(np.ceil(duration / seg))

    def act(evs):
        a = np.zeros(n, bool)
        for o, f in evs:
            a[int(np.floor(o / seg)):int(np.ceil(f / seg))] = True
        return a

    r, e = act(ref), act(est)
    return int((r & e).sum()), int(r.sum()), int(e.sum())


def f1(tp: int, nref: int, nest: int) -> float:
    return 2 * tp / (nref + nest) if nref + nest else 1.0


def sed_eval_check(python: str, data: list[dict], collar: float) -> float:
    """Event-based micro F1 computed by sed_eval in ``python`` on the same reference/estimated events."""
    code = """
import json, sys, sed_eval, dcase_util
data, collar = json.load(open(sys.argv[1])), float(sys.argv[2])
labels = sorted({e['event_label'] for d in data for e in d['ref'] + d['est']})
m = sed_eval.sound_event.EventBasedMetrics(event_label_list=labels, t_collar=collar, percentage_of_length=0.5)
for d in data:
    m.evaluate(dcase_util.containers.MetaDataContainer(d['ref']), dcase_util.containers.MetaDataContainer(d['est']))
print(m.results_overall_metrics()['f_measure']['f_measure'])
"""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(data, f)
    out = subprocess.run([python, "-c", code, f.name, str(collar)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--collar", type=float, default=0.2, help="onset collar in s (sed_eval default 0.2)")
    ap.add_argument("--sed-eval-python", default="", help="interpreter with sed_eval installed, to cross-check")
    ap.add_argument("--no-vad", action="store_true")
    ap.add_argument("--device", default=None)
    a = ap.parse_args()
    ctx = JobContext(device=best_compute_device(a.device))
    items = [it for it in json.loads((a.corpus / "manifest.json").read_text())
             if isinstance(it["ground_truth"], (dict, list)) and "onset" in json.dumps(it["ground_truth"])]
    totals: dict[str, list[int]] = {}
    seg_tot = [0, 0, 0]
    dump, rtfs = [], []
    print("| file | class | reference | detected | event F1 |")
    print("|---|---|---|---|---|")
    for it in items:
        truth = it["ground_truth"]
        events = truth["events"] if isinstance(truth, dict) else truth
        audio = load_audio(a.corpus / it["file"])
        labels = sorted({e["label"] for e in events})
        names = "; ".join(dict.fromkeys(c for lab in labels for c in CLASSES[lab]))
        t = time.perf_counter()
        ev = plugin.process(audio, {"classes": names, "use_vad": not a.no_vad, "min_duration": 0.25}, ctx)[0]
        rtfs.append((time.perf_counter() - t) / audio.duration)
        rec = {"ref": [], "est": []}
        for lab in labels:
            ref = [(e["onset"], e["offset"]) for e in events if e["label"] == lab]
            spans = [(s, e, 1.0) for s, e, lb in zip(ev.starts, ev.ends, ev.labels) if lb in CLASSES[lab]]
            est = [(s, e) for s, e, _ in join_intervals(spans, 0.0)]
            c = event_counts(ref, est, a.collar)
            s = segment_counts(ref, est, audio.duration)
            totals.setdefault(lab, [0, 0, 0])
            totals[lab] = [x + y for x, y in zip(totals[lab], c)]
            seg_tot = [x + y for x, y in zip(seg_tot, s)]
            fmt = lambda evs: ", ".join(f"{o:.2f}-{f:.2f}" for o, f in evs)  # noqa: E731
            print(f"| {Path(it['file']).name} | {lab} | {fmt(ref)} | {fmt(est)} | {f1(*c):.2f} |")
            key = it["file"]
            rec["ref"] += [{"filename": key, "event_label": lab, "onset": o, "offset": f} for o, f in ref]
            rec["est"] += [{"filename": key, "event_label": lab, "onset": o, "offset": f} for o, f in est]
        dump.append(rec)
    tp = sum(v[0] for v in totals.values())
    nr = sum(v[1] for v in totals.values())
    ne = sum(v[2] for v in totals.values())
    print(f"\nevent-based F1 (collar {a.collar} s, micro over classes): {f1(tp, nr, ne):.3f}  "
          f"(TP {tp}, reference {nr}, detected {ne}); per class: "
          + ", ".join(f"{k} {f1(*v):.2f}" for k, v in totals.items()))
    print(f"segment-based F1 (1 s): {f1(*seg_tot):.3f}; median RTF {sorted(rtfs)[len(rtfs) // 2]:.3f}")
    if a.sed_eval_python:
        print(f"sed_eval event-based F1 on the same events: {sed_eval_check(a.sed_eval_python, dump, a.collar):.3f}")


if __name__ == "__main__":
    main()
