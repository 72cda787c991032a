"""SI-SDR improvement of the enhance plugin (RNNoise) on corpus speech mixed with real noises and pink noise.

    python benchmarks/eval_enhance.py ../shared/corpus [--speech 8]

Clean speech: the first --speech recordings of ``<corpus>/speech`` (one per distinct voice first: LJ Speech,
LibriVox, LibriSpeech, JFK). Noises: pink noise (1/f, fixed seed), the ESC-50 clips of ``<corpus>/sed/esc50``
(dog, car horn, thunderstorms) and the scaper car-horn foregrounds of ``<corpus>/sed/scaper/foreground`` (the
scaper voice clips are left out: speech is not noise), each looped to the speech's length. Every speech x noise
pair is mixed at 0, 5 and 10 dB SNR (speech to noise power over the whole clip), at 16 kHz mono. Reported per noise
kind and SNR: SI-SDR of the mixture, and SI-SDR improvement (output minus mixture) and STOI (pystoi, when
installed) for RNNoise and for the baseline, spectral gating (noisereduce, non-stationary, its defaults).
Goals: SI-SDRi >= 8 dB averaged over 0 and 5 dB on pink noise; better than the baseline on real noises.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench.core.audio_io import load_audio  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402
from workbench_plugins.enhance.plugin import enhance_samples  # noqa: E402

RATE = 16000
SNRS = (0, 5, 10)
SPEECH = ["ljspeech/LJ001-0001.wav", "pocketsphinx_librivox/sense_and_sensibility_01_austen_64kb-0870.wav",
          "librosa_librispeech/198-209-0000.ogg", "librosa_librispeech/3436-172162-0000.ogg",
          "librosa_librispeech/5703-47212-0000.ogg", "whisper_jfk/jfk.flac", "ljspeech/LJ001-0003.wav",
          "pocketsphinx_librivox/sense_and_sensibility_01_austen_64kb-0920.wav"]


def si_sdr(est: np.ndarray, ref: np.ndarray) -> float:
    est, ref = est - est.mean(), ref - ref.mean()
    a = np.dot(est, ref) / (np.dot(ref, ref) + 1e-12)
    t = a * ref
    return float(10 * np.log10((np.sum(t ** 2) + 1e-12) / (np.sum((est - t) ** 2) + 1e-12)))


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec), dtype=float)
    f[0] = 1.0
    x = np.fft.irfft(spec / np.sqrt(f), n)
    return (x / np.std(x)).astype(np.float32)


def loop(x: np.ndarray, n: int) -> np.ndarray:
    return np.tile(x, -(-n // len(x)))[:n]


def mix_at(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    gain = np.sqrt(np.mean(speech ** 2) / (np.mean(noise ** 2) * 10 ** (snr_db / 10) + 1e-20))
    m = speech + gain * noise
    peak = np.max(np.abs(m))
    return (m / peak * 0.9 if peak > 0.9 else m).astype(np.float32), (0.9 / peak if peak > 0.9 else 1.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, help="corpus root holding speech/ and sed/")
    ap.add_argument("--speech", type=int, default=8)
    args = ap.parse_args()
    import noisereduce

    try:
        from pystoi import stoi
    except ImportError:
        stoi = None
    speech = [load_audio(args.corpus / "speech" / p).mono(RATE).samples[0] for p in SPEECH[:args.speech]]
    real = sorted((args.corpus / "sed" / "esc50").glob("*.wav"))
    real += [p for p in sorted((args.corpus / "sed" / "scaper" / "foreground").glob("*.wav")) if "Voice" not in p.name]
    noises = {p.stem: load_audio(p).mono(RATE).samples[0] for p in real}
    rng = np.random.default_rng(13)
    ctx = JobContext()
    rows = defaultdict(list)  # (kind, snr) -> [(mix si-sdr, rnn, base, stoi mix, stoi rnn, stoi base)]
    wall, audio_s = 0.0, 0.0
    for s in speech:
        pairs = [("pink", pink_noise(len(s), rng))] + [("real", loop(n, len(s))) for n in noises.values()]
        for kind, noise in pairs:
            for snr in SNRS:
                mix, scale = mix_at(s, noise, snr)
                ref = s * scale
                t0 = time.perf_counter()
                out = enhance_samples(mix[None], RATE, ctx)[0]
                wall += time.perf_counter() - t0
                audio_s += len(mix) / RATE
                base = noisereduce.reduce_noise(y=mix, sr=RATE).astype(np.float32)
                m0 = si_sdr(mix, ref)
                r = [m0, si_sdr(out, ref) - m0, si_sdr(base, ref) - m0]
                if stoi is not None:
                    r += [stoi(ref, mix, RATE), stoi(ref, out, RATE), stoi(ref, base, RATE)]
                rows[(kind, snr)].append(r)
    print(f"{len(speech)} speech clips; real noises: {', '.join(noises)}")
    head = f"{'noise':>5} {'SNR':>4} {'n':>3} {'SI-SDR mix':>10} {'SI-SDRi RNNoise':>15} {'SI-SDRi gating':>14}"
    print(head + (f" {'STOI mix':>8} {'STOI RNNoise':>12} {'STOI gating':>11}" if stoi else ""))
    for (kind, snr), r in sorted(rows.items()):
        a = np.mean(np.array(r), axis=0)
        line = f"{kind:>5} {snr:>4} {len(r):>3} {a[0]:>10.2f} {a[1]:>15.2f} {a[2]:>14.2f}"
        print(line + (f" {a[3]:>8.3f} {a[4]:>12.3f} {a[5]:>11.3f}" if stoi else ""))
    pink = np.mean([x[1] for snr in (0, 5) for x in rows[("pink", snr)]])
    real_r = np.mean([x[1] for snr in SNRS for x in rows[("real", snr)]])
    real_b = np.mean([x[2] for snr in SNRS for x in rows[("real", snr)]])
    print(f"pink noise, 0 and 5 dB: SI-SDRi RNNoise {pink:.2f} dB (goal >= 8 dB)")
    print(f"real noises, all SNRs: SI-SDRi RNNoise {real_r:.2f} dB vs spectral gating {real_b:.2f} dB "
          f"(goal: RNNoise better)")
    print(f"RNNoise RTF {wall / audio_s:.3f} (16 kHz in, 48 kHz inside; {audio_s:.0f} s of audio)")


if __name__ == "__main__":
    main()
