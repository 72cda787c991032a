"""Diarization error rate of the diarization plugin on conversations built from the corpus's real speakers.

    python benchmarks/eval_diarization.py ../shared/corpus [--conversations 12] [--seed 13]

Speakers are the distinct voices of ``<corpus>/speech``: LJ Speech, the LibriVox 'Sense and Sensibility' reader
(pocketsphinx), the three LibriSpeech readers (198, 3436, 5703), J.F. Kennedy, and the pocketsphinx 'cards' voice.
Each conversation (fixed seed) has 2-4 of them taking 8-14 turns of 1-8 s cut from their recordings (each cut
trimmed of leading/trailing silence by energy, 30 dB below its peak, which defines the reference turn), separated
by gaps of 0.2-1.5 s; about one turn in seven starts 0.3-1 s before the previous one ends (overlap). The plugin
runs with the automatic speaker count (it is never told the truth). DER is pyannote.metrics'
DiarizationErrorRate with a collar of 0.25 s on each side of every reference boundary (pyannote's ``collar=0.5``,
the NIST md-eval convention), over the whole conversation (uem), computed twice: skipping overlapped speech
("non-overlapping turns", the goal: <= 15 %) and scoring it. Aggregate DER = total error / total reference time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.audio_io import load_audio  # noqa: E402
from workbench_plugins.diarization.diarize import diarize  # noqa: E402

RATE = 16000
VOICES = {  # speaker -> file patterns under speech/
    "lj": ["ljspeech/*.wav"],
    "librivox_austen": ["pocketsphinx_librivox/*.wav"],
    "libri_198": ["librosa_librispeech/198-*.ogg"],
    "libri_3436": ["librosa_librispeech/3436-*.ogg"],
    "libri_5703": ["librosa_librispeech/5703-*.ogg"],
    "jfk": ["whisper_jfk/*.flac"],
    "cards": ["pocketsphinx_misc/cards_*.wav"],
}


def trim(x: np.ndarray, top_db: float = 30.0) -> np.ndarray:
    """``x`` without its leading and trailing parts quieter than ``top_db`` below the peak (25 ms frames)."""
    frame = 400
    n = len(x) // frame
    if n == 0:
        return x
    e = 10 * np.log10(np.mean(x[: n * frame].reshape(n, frame) ** 2, axis=1) + 1e-12)
    loud = np.flatnonzero(e > e.max() - top_db)
    return x[loud[0] * frame:(loud[-1] + 1) * frame]


def load_voices(speech: Path) -> dict[str, np.ndarray]:
    voices = {}
    for name, patterns in VOICES.items():
        parts = [trim(load_audio(p).mono(RATE).samples[0]) for pat in patterns for p in sorted(speech.glob(pat))]
        if parts:
            voices[name] = np.concatenate(parts)
    return voices


def conversation(voices: dict[str, np.ndarray], rng: np.random.Generator):
    """(mixture, reference turns [(start, end, speaker)]) of one random conversation."""
    names = sorted(voices)
    who = list(rng.choice(names, size=int(rng.integers(2, 5)), replace=False))
    cursor = {w: int(rng.integers(0, len(voices[w]) // 2)) for w in who}
    pieces, ref, t, prev = [], [], 0.5, None
    for _ in range(int(rng.integers(8, 15))):
        w = str(rng.choice([x for x in who if x != prev]))
        n = int(rng.uniform(1.0, 8.0) * RATE)
        src = voices[w]
        if cursor[w] + n > len(src):
            cursor[w] = 0
        cut = trim(src[cursor[w]:cursor[w] + n])
        cursor[w] += n
        if len(cut) < RATE // 2:
            continue
        if ref and rng.random() < 0.15:
            t = ref[-1][1] - rng.uniform(0.3, 1.0)  # overlaps the previous turn
        start = max(0.0, t)
        pieces.append((int(start * RATE), cut * 10 ** (rng.uniform(-3, 3) / 20)))
        ref.append((start, start + len(cut) / RATE, w))
        t = start + len(cut) / RATE + rng.uniform(0.2, 1.5)
        prev = w
    mix = np.zeros(int((t + 0.5) * RATE), np.float32)
    for a, x in pieces:
        mix[a:a + len(x)] += x
    return mix, ref


def annotation(turns):
    from pyannote.core import Annotation, Segment

    a = Annotation()
    for i, (s, e, k) in enumerate(turns):
        a[Segment(s, e), i] = str(k)
    return a


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, help="corpus root holding speech/")
    ap.add_argument("--conversations", type=int, default=12)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()
    from pyannote.core import Segment, Timeline
    from pyannote.metrics.diarization import DiarizationErrorRate

    voices = load_voices(args.corpus / "speech")
    print(f"voices: {', '.join(f'{k} ({len(v) / RATE:.0f} s)' for k, v in voices.items())}")
    rng = np.random.default_rng(args.seed)
    no_overlap = DiarizationErrorRate(collar=0.5, skip_overlap=True)
    with_overlap = DiarizationErrorRate(collar=0.5, skip_overlap=False)
    diarize(np.zeros(RATE, np.float32))  # load the models before timing
    rows, audio_s, wall = [], 0.0, 0.0
    for c in range(args.conversations):
        mix, ref = conversation(voices, rng)
        t0 = time.perf_counter()
        hyp = diarize(mix)
        wall += time.perf_counter() - t0
        audio_s += len(mix) / RATE
        uem = Timeline([Segment(0, len(mix) / RATE)])
        r, h = annotation(ref), annotation(hyp)
        d1 = no_overlap(r, h, uem=uem)
        d2 = with_overlap(r, h, uem=uem)
        rows.append((c, len(mix) / RATE, len({k for *_, k in ref}), len({k for *_, k in hyp}), len(ref), d1, d2))
    print(f"{'conv':>4} {'dur s':>6} {'true spk':>8} {'found':>5} {'turns':>5} {'DER no-ovl':>10} {'DER all':>8}")
    for c, dur, ts, fs, nt, d1, d2 in rows:
        print(f"{c:>4} {dur:>6.1f} {ts:>8} {fs:>5} {nt:>5} {100 * d1:>9.1f}% {100 * d2:>7.1f}%")
    right = sum(r[2] == r[3] for r in rows)
    print(f"aggregate DER, non-overlapping turns: {100 * abs(no_overlap):.1f}% (goal <= 15%)")
    print(f"aggregate DER, overlaps scored:       {100 * abs(with_overlap):.1f}%")
    print(f"speaker count right in {right}/{len(rows)} conversations; RTF {wall / audio_s:.3f} "
          f"({audio_s:.0f} s of audio)")


if __name__ == "__main__":
    main()
