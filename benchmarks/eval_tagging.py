"""Top tags of the music-tagging (musicnn MTT) and AudioSet (YAMNet) plugins for a labelled corpus.

    python benchmarks/eval_tagging.py ../shared/corpus/tagging [--k 5]

The corpus's labels are descriptive (genre / instrument / style words), not a tagging vocabulary, so the
score is a keyword check: a clip counts as a hit for a model when one of its label words that the model's
vocabulary contains (e.g. "classical", "flute", "drums", "country", "piano") is among its top-k tags;
clips whose label words are outside a vocabulary are "n/a" for that model. RTF = processing s per audio s.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.audio_io import load_audio  # noqa: E402
from workbench.core.devices import best_compute_device  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402
from workbench_plugins.audioset import plugin as audioset  # noqa: E402
from workbench_plugins.tagging import plugin as tagging  # noqa: E402
from workbench_plugins.tagging.musicnn import MTT_LABELS  # noqa: E402

SYNONYMS = {"drum": "drums", "strings": "strings", "string": "strings", "contrabass": "double bass",
            "orchestra": "orchestra", "vocals": "vocals", "ragtime": "piano"}


def label_words(truth) -> set[str]:
    text = json.dumps(truth).lower() if not isinstance(truth, str) else truth.lower()
    words = set(re.findall(r"[a-z]+", text))
    return words | {SYNONYMS[w] for w in words if w in SYNONYMS}


def verdict(words: set[str], top: list[str], vocab: set[str]) -> str:
    relevant = {w for w in words if w in vocab}
    if not relevant:
        return "n/a"
    return "hit" if relevant & {t.lower() for t in top} else "miss"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--k", type=int, default=5)
    ap.add_argument("--device", default=None)
    a = ap.parse_args()
    ctx = JobContext(device=best_compute_device(a.device))
    items = json.loads((a.corpus / "manifest.json").read_text())
    mtt_vocab = {t.lower() for t in MTT_LABELS}
    yam_vocab = None
    hits = {"musicnn": [0, 0], "yamnet": [0, 0]}
    rtf = {"musicnn": [], "yamnet": []}
    print(f"| clip | labels | musicnn top-{a.k} | | YAMNet top-{a.k} | |")
    print("|---|---|---|---|---|---|")
    for it in items:
        audio = load_audio(a.corpus / it["file"])
        words = label_words(it["ground_truth"])
        t = time.perf_counter()
        mt = tagging.process(audio, {}, ctx)[0]
        rtf["musicnn"].append((time.perf_counter() - t) / audio.duration)
        t = time.perf_counter()
        yt = audioset.process(audio, {"top_k": 0}, ctx)[0]
        rtf["yamnet"].append((time.perf_counter() - t) / audio.duration)
        yam_vocab = yam_vocab or {w for lab in yt.labels for w in re.findall(r"[a-z]+", lab.lower())}
        m_top = [n for n, _ in mt.top(a.k)]
        y_top = [n for n, _ in yt.top(a.k)]
        y_words = [w for n in y_top for w in re.findall(r"[a-z]+", n.lower())]
        vm, vy = verdict(words, m_top, mtt_vocab), verdict(words, y_words, yam_vocab)
        for name, v in (("musicnn", vm), ("yamnet", vy)):
            if v != "n/a":
                hits[name][0] += v == "hit"
                hits[name][1] += 1
        truth = it["ground_truth"] if isinstance(it["ground_truth"], str) else json.dumps(it["ground_truth"])
        print(f"| {Path(it['file']).name[:34]} | {truth[:60]} | {', '.join(m_top)} | {vm} | {', '.join(y_top)} | {vy} |")
    for name in hits:
        h, n = hits[name]
        rt = sorted(rtf[name])[len(rtf[name]) // 2]
        print(f"{name}: keyword hits in top-{a.k}: {h}/{n} clips with a label word in its vocabulary; median RTF {rt:.3f}")


if __name__ == "__main__":
    main()
