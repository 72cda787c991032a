"""Street-like soundscapes made from licence-clean sources, with exact event truth (seeded, reproducible).

Sources: synthesised sirens (wail, yelp and hi-lo two-tone: swept or alternating harmonic tones), car horns
(two- or three-note harmonic stacks with a little detune, single or repeated honks), speech from espeak-ng
(GPL-3, several voices, speeds and pitches), and traffic-like background (low-passed brown noise, engine hums
with slow tremolo, passing-car swells). Events are placed at random times and levels (event-to-background
ratios drawn from ``snr_db``) and may overlap each other, as on a street.

Used to fit the detector's decisions (scripts/fit_sed_decisions.py), to score it apart from the corpus
(benchmarks/eval_sed.py --soundscapes) and in the tests. Labels use the evaluation vocabulary: ``siren``,
``car_horn``, ``speech``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, resample_poly, sosfilt

RATE = 16000
VOICES = ("en+m3", "en-us+f2", "en-gb-scotland+m1", "en+f4", "en-us+m5", "en+f1")
SENTENCES = (
    "Please move to the left lane, an ambulance is coming through.",
    "Excuse me, is this the way to the station?",
    "I will meet you at the corner in five minutes.",
    "Look out, the light is turning red.",
    "Could you tell me what time the next bus leaves?",
    "We parked the car two streets away from here.",
    "Hello, can you hear me? The traffic is very loud today.",
    "Turn right after the bridge and keep going straight.",
    "Thanks, have a nice day.",
    "Where did you put the keys?",
)


def _harmonics(phase: np.ndarray, count: int, tilt: float = 1.0) -> np.ndarray:
    return sum(np.sin(k * phase) / k ** tilt for k in range(1, count + 1))


def _fade(x: np.ndarray, seconds: float = 0.02) -> np.ndarray:
    n = min(len(x) // 2, int(seconds * RATE))
    if n:
        ramp = np.linspace(0.0, 1.0, n)
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)) + 1e-12))


def siren(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """A wail, a yelp or a hi-lo two-tone siren."""
    t = np.arange(int(seconds * RATE)) / RATE
    kind = rng.integers(3)
    if kind == 0:  # wail: slow sweep
        lo, hi, period = rng.uniform(500, 800), rng.uniform(1200, 1700), rng.uniform(2.0, 4.5)
        f = lo + (hi - lo) * (0.5 - 0.5 * np.cos(2 * np.pi * t / period + rng.uniform(0, 6.28)))
    elif kind == 1:  # yelp: fast sweep
        lo, hi, period = rng.uniform(600, 900), rng.uniform(1300, 1800), rng.uniform(0.15, 0.4)
        f = lo + (hi - lo) * ((t / period) % 1.0)
    else:  # hi-lo: two alternating tones
        lo, period = rng.uniform(400, 700), rng.uniform(0.8, 1.4)
        f = np.where((t / (period / 2)).astype(int) % 2 == 0, lo, lo * rng.uniform(1.2, 1.45))
    x = _harmonics(2 * np.pi * np.cumsum(f) / RATE, int(rng.integers(3, 9)), rng.uniform(0.8, 1.6))
    return _fade(x, 0.05)


def horn(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """A car horn: two or three detuned harmonic stacks (a 'beep' chord) with a fast attack."""
    t = np.arange(int(seconds * RATE)) / RATE
    base = rng.uniform(300, 520)
    notes = [base, base * rng.uniform(1.18, 1.3)] + ([base * rng.uniform(1.45, 1.55)] if rng.random() < 0.3 else [])
    x = sum(_harmonics(2 * np.pi * f * (1 + 0.002 * rng.standard_normal()) * t, int(rng.integers(6, 14)),
                       rng.uniform(0.6, 1.2)) for f in notes)
    x = np.tanh(1.5 * x / np.max(np.abs(x)))  # a horn's diaphragm clips
    return _fade(x, 0.01)


def espeak(text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s.wav")
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", path, text],
                       check=True, capture_output=True)
        import soundfile as sf

        x, sr = sf.read(path, dtype="float32")
    x = resample_poly(x, RATE, sr).astype(np.float64)
    idx = np.flatnonzero(np.abs(x) > 0.01 * np.abs(x).max())  # trim espeak's leading/trailing silence
    return x[idx[0]:idx[-1] + 1] if len(idx) else x


def traffic(rng: np.random.Generator, n: int) -> np.ndarray:
    """Traffic-like background: rumble, an engine hum with tremolo and passing-car swells."""
    t = np.arange(n) / RATE
    brown = np.cumsum(rng.standard_normal(n))
    brown -= np.convolve(brown, np.ones(801) / 801, mode="same")
    x = sosfilt(butter(2, rng.uniform(300, 900), fs=RATE, output="sos"), brown) / 30
    hum_f = rng.uniform(35, 90)
    x += 0.3 * _rms(x) * _harmonics(2 * np.pi * hum_f * t, 6) * (1 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t))
    for _ in range(int(rng.integers(1, 4))):  # passing cars: band noise rising and falling
        c, w = rng.uniform(0, n / RATE), rng.uniform(1.5, 4.0)
        env = np.exp(-0.5 * ((t - c) / (w / 4)) ** 2)
        band = sosfilt(butter(2, [rng.uniform(150, 400), rng.uniform(1500, 4000)], btype="band", fs=RATE,
                              output="sos"), rng.standard_normal(n))
        x += env * band * _rms(x) * rng.uniform(1.0, 3.0) / _rms(band)
    x += rng.standard_normal(n) * 0.02 * _rms(x)  # a little hiss
    return x


def park(rng: np.random.Generator, n: int) -> np.ndarray:
    """Park-like background: pink-ish noise (wind, distant city) with bird chirps (fast FM sweeps, 2-6 kHz)."""
    white = rng.standard_normal(n)
    x = sosfilt(butter(1, 800, fs=RATE, output="sos"), white) + 0.1 * white
    x /= _rms(x)
    for _ in range(int(rng.integers(2, 12))):
        a, d = int(rng.uniform(0, n / RATE - 0.3) * RATE), rng.uniform(0.04, 0.25)
        t = np.arange(int(d * RATE)) / RATE
        f0, f1 = rng.uniform(2000, 6000, 2)
        f = f0 + (f1 - f0) * t / d + rng.uniform(0, 600) * np.sin(2 * np.pi * rng.uniform(10, 40) * t)
        chirp = _fade(np.sin(2 * np.pi * np.cumsum(f) / RATE), 0.01)
        x[a:a + len(chirp)] += chirp * rng.uniform(0.5, 3.0)
    return x


@dataclass
class Scene:
    audio: np.ndarray  # float32 at RATE
    events: list[tuple[float, float, str]]  # (onset, offset, label), exact by construction


def _place(x: np.ndarray, src: np.ndarray, onset: float, snr_db: float, bg_rms: float) -> tuple[float, float]:
    a = int(onset * RATE)
    src = src[: len(x) - a]
    x[a:a + len(src)] += src * bg_rms * 10 ** (snr_db / 20) / _rms(src)
    return onset, onset + len(src) / RATE


def scene(seed: int, seconds: float = 12.0, snr_db: tuple[float, float] = (0.0, 6.0), speech: bool = True,
          park_share: float = 0.25) -> Scene:
    """One soundscape: traffic (or, for ``park_share`` of the seeds, a park with birds) plus 0-2 sirens
    (1.5-8 s), 1-3 horns (40 % of them while a siren sounds) and 0-2 spoken sentences."""
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    bg = park(rng, n) if rng.random() < park_share else traffic(rng, n)
    bg_rms = _rms(bg)
    x = bg.copy()
    events = []
    sirens = []
    for _ in range(int(rng.choice([0, 1, 1, 2]))):
        d = rng.uniform(1.5, min(8.0, seconds - 1.0))
        src = siren(rng, d)
        sirens.append(_place(x, src, rng.uniform(0, seconds - d), rng.uniform(*snr_db), bg_rms))
        events.append((*sirens[-1], "siren"))
    for _ in range(int(rng.integers(1, 4))):
        d = rng.uniform(0.3, 1.5)
        onset = rng.uniform(0, seconds - d)
        if sirens and rng.random() < 0.4:  # drivers honk while a siren sounds
            a, b = sirens[int(rng.integers(len(sirens)))]
            onset = min(seconds - d, rng.uniform(a, max(a, b - d)))
        honks = 2 if rng.random() < 0.3 else 1  # "beep beep": two events with a short gap
        src = horn(rng, d)
        level = rng.uniform(*snr_db) + 3.0  # horns are loud
        for k in range(honks):
            o = onset + k * (d + rng.uniform(0.3, 0.6))
            if o + d < seconds:
                events.append((*_place(x, src, o, level, bg_rms), "car_horn"))
    if speech:
        for _ in range(int(rng.integers(0, 3))):
            words = espeak(str(rng.choice(SENTENCES)), str(rng.choice(VOICES)), int(rng.integers(130, 190)),
                           int(rng.integers(30, 70)))
            d = len(words) / RATE
            if d < seconds - 0.5:
                events.append((*_place(x, words, rng.uniform(0, seconds - d), rng.uniform(*snr_db) + 3.0, bg_rms),
                               "speech"))
    x *= 0.5 / max(1e-9, np.max(np.abs(x)))
    return Scene(x.astype(np.float32), sorted(events))
