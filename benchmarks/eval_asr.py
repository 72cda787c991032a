"""Word error rate of the ASR plugin on a speech corpus.

Usage: python benchmarks/eval_asr.py ../shared/corpus/speech [--models base tiny.en] [--device cpu]

Reads CORPUS/manifest.json; a file's reference transcript is its ``ground_truth`` (a string, or a dict whose
``normalized``/``raw`` text is used) or else the first ``.txt`` in ``ground_truth_files``. Files without a
transcript are skipped. Prints WER per file and overall (errors / reference words over all files) per model.
Normalisation: Whisper's English text normaliser (workbench_plugins.asr.wer.normalize), as published Whisper
results are scored; the ``old`` column is the project's earlier light normaliser (digits spelled out), for
comparison only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from workbench.core.audio_io import load_audio
from workbench.core.devices import best_compute_device
from workbench_plugins.asr.engine import transcribe
from workbench_plugins.asr.manifest import MODEL_CHOICES
from workbench_plugins.asr.wer import corpus_wer, light_normalize, wer


def reference_of(entry: dict, root: Path) -> str | None:
    """The transcript of a manifest entry, or None when it has none."""
    truth = entry.get("ground_truth")
    if isinstance(truth, str) and truth.strip():
        return truth
    if isinstance(truth, dict):
        return truth.get("normalized") or truth.get("raw")
    if "transcript" in str(entry.get("truth_kind", "")):
        for f in entry.get("ground_truth_files") or []:
            if f.endswith(".txt"):
                return (root / f).read_text().strip()
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--models", nargs="+", default=["base", "tiny.en"], choices=list(MODEL_CHOICES)[:5])
    ap.add_argument("--device", default=None, help="cpu or cuda (default: best available)")
    args = ap.parse_args(argv)
    device = best_compute_device(args.device)
    entries = json.loads((args.corpus / "manifest.json").read_text())
    items = [(e["file"], ref) for e in entries if (ref := reference_of(e, args.corpus))]
    skipped = len(entries) - len(items)
    print(f"corpus {args.corpus}: {len(items)} files with transcripts ({skipped} without, skipped); device {device}")
    summary = []
    for choice in args.models:
        model_id = MODEL_CHOICES[choice]
        pairs, audio_s, compute_s = [], 0.0, 0.0
        print(f"\n{model_id}")
        print(f"{'file':64s} {'words':>5s} {'WER':>7s} {'old':>7s}  hypothesis")
        for rel, ref in items:
            audio = load_audio(args.corpus / rel)
            samples = audio.mono(16000).samples[0]
            t = time.perf_counter()
            segments, _ = transcribe(samples, model_id, device, language="en", word_timestamps=False)
            compute_s += time.perf_counter() - t
            audio_s += audio.duration
            hyp = segments.text
            pairs.append((ref, hyp))
            print(f"{rel[:64]:64s} {len(ref.split()):5d} {100 * wer(ref, hyp):6.1f}% "
                  f"{100 * wer(ref, hyp, light_normalize):6.1f}%  {hyp[:70]}")
        overall, errors, words = corpus_wer(pairs)
        old, _, old_words = corpus_wer(pairs, light_normalize)
        print(f"{'overall':64s} {words:5d} {100 * overall:6.1f}% {100 * old:6.1f}%  "
              f"({errors} errors; RTF {compute_s / audio_s:.3f})")
        summary.append((model_id, overall, words, old, old_words, compute_s / audio_s))
    print("\nmodel                 overall WER   words   old normaliser (words)   RTF")
    for model_id, overall, words, old, old_words, rtf in summary:
        print(f"{model_id:20s} {100 * overall:9.1f}%   {words:5d}   {100 * old:9.1f}% ({old_words:5d})      {rtf:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
