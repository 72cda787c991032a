"""SI-SDR of the separation plugin on mixtures built from the evaluation corpus: speech over music.

    python benchmarks/eval_separation.py ../shared/corpus [--count 8] [--snr 0] [--model spleeter-2stems]

Each speech recording of ``<corpus>/speech`` (up to --count, sorted) is mixed at --snr dB (speech to music power)
over a clip of ``<corpus>/tagging`` (cycled; the excerpt starts 5 s in when the clip is long enough), both
resampled to 44.1 kHz mono. Reported per mixture: SI-SDR of the vocal stem against the speech (and its
improvement over the mixture itself, the baseline), SI-SDR of the accompaniment against the music, the stems'
sum error, and the real-time factor (processing s per audio s, model loaded).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.audio import AudioBuffer  # noqa: E402
from workbench.core.audio_io import load_audio  # noqa: E402
from workbench.core.devices import best_compute_device  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402
from workbench_plugins.separation import plugin  # noqa: E402

RATE = 44100


def si_sdr(est: np.ndarray, ref: np.ndarray) -> float:
    a = np.dot(est, ref) / (np.dot(ref, ref) + 1e-12)
    t = a * ref
    return float(10 * np.log10((np.sum(t ** 2) + 1e-12) / (np.sum((est - t) ** 2) + 1e-12)))


def files(folder: Path) -> list[Path]:
    items = json.loads((folder / "manifest.json").read_text())
    return sorted(folder / it["file"] for it in items)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, help="corpus root holding speech/ and tagging/")
    ap.add_argument("--count", type=int, default=8)
    ap.add_argument("--snr", type=float, default=0.0, help="speech-to-music power ratio in dB")
    ap.add_argument("--model", default="spleeter-2stems")
    ap.add_argument("--device", default=None)
    a = ap.parse_args()
    ctx = JobContext(device=best_compute_device(a.device))
    speech, music = files(a.corpus / "speech")[: a.count], files(a.corpus / "tagging")
    plugin.process(AudioBuffer(np.zeros((2, RATE), np.float32), RATE), {"model": a.model}, ctx)  # load once
    rows = []
    print("| speech | music | mix SI-SDR (baseline) | vocals SI-SDR | SI-SDRi | accomp. SI-SDR | max sum err | RTF |")
    print("|---|---|---|---|---|---|---|---|")
    for i, sp in enumerate(speech):
        s = load_audio(sp).mono(RATE).samples[0]
        mb = load_audio(music[i % len(music)]).mono(RATE).samples[0]
        start = 5 * RATE if len(mb) > len(s) + 5 * RATE else 0
        m = np.resize(mb[start:], len(s))  # loop a short clip
        s = s * np.sqrt(np.mean(m ** 2) / (np.mean(s ** 2) + 1e-12)) * 10 ** (a.snr / 20)
        mix = (s + m).astype(np.float32)
        t = time.perf_counter()
        tr = plugin.process(AudioBuffer(mix, RATE), {"model": a.model}, ctx)[0].tracks
        dt = time.perf_counter() - t
        v, acc = tr["vocals"].samples[0], tr["accompaniment"].samples[0]
        r = dict(base=si_sdr(mix, s), voc=si_sdr(v, s), acc=si_sdr(acc, m), err=float(np.abs(v + acc - mix).max()),
                 rtf=dt / (len(mix) / RATE))
        rows.append(r)
        print(f"| {sp.name} | {music[i % len(music)].name[:28]} | {r['base']:.1f} | {r['voc']:.1f} | "
              f"{r['voc'] - r['base']:.1f} | {r['acc']:.1f} | {r['err']:.1e} | {r['rtf']:.2f} |")
    med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
    print(f"| **median** ({len(rows)} mixtures, {a.snr:g} dB) | | {med['base']:.1f} | {med['voc']:.1f} | "
          f"{med['voc'] - med['base']:.1f} | {med['acc']:.1f} | {max(r['err'] for r in rows):.1e} | {med['rtf']:.2f} |")
    print(f"model {a.model}, device {ctx.device}")


if __name__ == "__main__":
    main()
