"""Street-like soundscapes made from licence-clean sources, with exact event truth (seeded, reproducible).

Sources, all synthesised here except the speech:

- sirens: US wail (0.2-0.5 Hz sweeps), yelp (3-4 Hz sweeps), hi-lo two-tone, European two-tone (a fourth
  apart) and mechanical wind-up, 500-1800 Hz, with harmonics (electronic square-ish or horn-speaker
  saw-ish spectra), optionally driving past (Doppler shift and distance gain) and in a reverberant street;
- car horns: one to three detuned harmonic stacks (car horns), low air horns (trucks, buses), single honks,
  "beep beep" and long holds;
- speech from espeak-ng (GPL-3; many voices and accents, speeds and pitches), sometimes reverberant;
- backgrounds: traffic (rumble, idling engines with firing harmonics, passing cars with tyre noise, a rare
  brake squeal), a park (wind-like noise, bird chirps) or a quiet room (speech with pauses over a faint
  noise floor).

Events are placed at random times and levels and may overlap each other, as on a street; the whole scene
is played at a random level. Levels (``levels``, see ``LEVELS``): ``"spec"`` (the default: the street
soundscapes are specified as events 0-6 dB over traffic-like noise) puts every siren, horn and street
speech 0-6 dB over the background (RMS over the event's truth span against the background's RMS);
``"wide"`` is the generator as it was until 2026-12-01, which put sirens 10 dB under to 6 dB over the
background and horns and speech -1 to 9 dB over it (kept to reproduce the scores measured with it, and as
harder training scenes). Speech in a quiet room is 11-46 dB over the room's noise in both. Truth is what
arrives at the listener: a Doppler pass starts when its sound reaches the listener, a reverberant tail is
not part of the event.

Used to train the street head (scripts/train_sed_head.py), to fit the detector's decisions
(scripts/fit_sed_decisions.py), to score it apart from the corpus (benchmarks/eval_sed.py --soundscapes) and in
the tests. Labels use the evaluation vocabulary: ``siren``, ``car_horn``, ``speech``.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, fftconvolve, resample_poly, sosfilt

RATE = 16000
SOUND_SPEED = 343.0  # m/s
VOICES = ("en+m3", "en-us+f2", "en-gb-scotland+m1", "en+f4", "en-us+m5", "en+f1", "en-gb-x-rp+m2",
          "en-029+f3", "en-us-nyc+m4", "en+Andy", "en+Annie", "en+Michael", "en+Linda", "en+grandpa",
          "en+female3", "en+Max", "de+m2", "fr+f2", "es+m1", "it+f1", "en-gb-x-gbclan+m6", "en+klatt")
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
    "Taxi!",
    "Hey, wait for me!",
    "All aboard, the train leaves in two minutes.",
    "No, I said the second building on the left, next to the bakery.",
    "Can I get a coffee and a croissant, please?",
    "It has been raining all week, I hope it stops before the weekend.",
)
SIREN_KINDS = ("wail", "yelp", "hi-lo", "two-tone", "mechanical")


def _harmonics(phase: np.ndarray, count: int, tilt: float = 1.0, odd_only: bool = False) -> np.ndarray:
    ks = range(1, 2 * count, 2) if odd_only else range(1, count + 1)
    return sum(np.sin(k * phase) / k ** tilt for k in ks)


def _fade(x: np.ndarray, seconds: float = 0.02) -> np.ndarray:
    n = min(len(x) // 2, int(seconds * RATE))
    if n:
        ramp = np.linspace(0.0, 1.0, n)
        x[:n] *= ramp
        x[-n:] *= ramp[::-1]
    return x


def _rms(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x)) + 1e-12))


def _band_limited(x: np.ndarray) -> np.ndarray:
    """Keep the harmonics of a synthetic tone below Nyquist's neighbourhood (no aliasing hiss)."""
    return sosfilt(butter(4, 7000, fs=RATE, output="sos"), x)


def siren_frequency(rng: np.random.Generator, t: np.ndarray, kind: str) -> np.ndarray:
    """Instantaneous fundamental (Hz) of one siren pattern over the times ``t``."""
    phase0 = rng.uniform(0, 1)
    if kind == "wail":  # slow up-and-down sweep, 0.2-0.5 Hz, often rising slower than it falls
        lo, hi, rate = rng.uniform(500, 800), rng.uniform(1200, 1800), rng.uniform(0.2, 0.5)
        u = (t * rate + phase0) % 1.0
        rise = rng.uniform(0.5, 0.75)
        shape = np.where(u < rise, u / rise, (1 - u) / (1 - rise))
        return lo + (hi - lo) * (0.5 - 0.5 * np.cos(np.pi * shape))
    if kind == "yelp":  # fast sweep, 3-4 Hz, saw-like or triangular
        lo, hi, rate = rng.uniform(550, 900), rng.uniform(1200, 1800), rng.uniform(3.0, 4.0)
        u = (t * rate + phase0) % 1.0
        return lo + (hi - lo) * (u if rng.random() < 0.6 else 1 - np.abs(2 * u - 1))
    if kind == "hi-lo":  # two alternating tones, 0.4-0.7 s each
        lo, step = rng.uniform(550, 950), rng.uniform(1.2, 1.5)
        half = rng.uniform(0.4, 0.7)
        return np.where(((t / half + phase0) % 2.0) < 1.0, lo, lo * step)
    if kind == "two-tone":  # European "Martinshorn": a fourth apart (e.g. 440/585 Hz), ~0.5-0.8 s each
        lo = rng.uniform(420, 700)
        half = rng.uniform(0.45, 0.8)
        return np.where(((t / half + phase0) % 2.0) < 1.0, lo, lo * rng.uniform(1.3, 1.36))
    # mechanical: a rotor winding up to its top pitch, holding, winding down (long, slow)
    top, dur = rng.uniform(900, 1500), max(t[-1], 1e-3) if len(t) else 1.0
    up = min(dur / 2, rng.uniform(0.8, 2.5))
    env = np.clip(t / up, 0, 1) * np.clip((dur - t) / up + 0.3, 0, 1)
    return 200 + (top - 200) * env ** 0.7


def siren(rng: np.random.Generator, seconds: float, kind: str | None = None) -> np.ndarray:
    """A dry siren of one pattern (``SIREN_KINDS``; random when None), harmonics and a little vibrato."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    kind = kind or str(rng.choice(SIREN_KINDS, p=(0.3, 0.25, 0.15, 0.2, 0.1)))
    f = siren_frequency(rng, t, kind)
    f = f * (1 + 0.004 * np.sin(2 * np.pi * rng.uniform(4, 8) * t))  # speaker/rotor wobble
    phase = 2 * np.pi * np.cumsum(f) / RATE
    if rng.random() < 0.5:  # electronic driver into a horn speaker: square-ish, odd harmonics
        x = _harmonics(phase, int(rng.integers(3, 8)), rng.uniform(0.9, 1.4), odd_only=True)
    else:
        x = _harmonics(phase, int(rng.integers(3, 10)), rng.uniform(0.8, 1.8))
    if rng.random() < 0.3:  # a horn speaker's resonance
        x = x + 0.5 * sosfilt(butter(2, [rng.uniform(900, 1500), rng.uniform(2000, 3500)], btype="band", fs=RATE,
                                     output="sos"), x)
    return _fade(_band_limited(x), 0.05)


def horn(rng: np.random.Generator, seconds: float) -> np.ndarray:
    """A car horn (two or three detuned harmonic stacks, 300-600 Hz) or a truck's air horn (lower, brassier),
    with a fast attack."""
    t = np.arange(int(seconds * RATE)) / RATE
    truck = rng.random() < 0.2
    base = rng.uniform(150, 320) if truck else rng.uniform(300, 600)
    notes = [base]
    if rng.random() < 0.85:
        notes.append(base * rng.uniform(1.15, 1.33))
    if rng.random() < 0.3:
        notes.append(base * rng.uniform(1.45, 1.6))
    x = sum(_harmonics(2 * np.pi * f * (1 + 0.003 * rng.standard_normal()) * t, int(rng.integers(6, 16)),
                       rng.uniform(0.5, 1.2)) for f in notes)
    x = np.tanh(rng.uniform(1.0, 3.0) * x / np.max(np.abs(x)))  # a horn's diaphragm clips
    if truck:
        x = x + 0.05 * rng.standard_normal(len(x))  # air noise
    x = x * (1 - np.exp(-t / rng.uniform(0.005, 0.03)))  # attack
    return _fade(_band_limited(x), 0.015)


def doppler(rng: np.random.Generator, x: np.ndarray) -> tuple[np.ndarray, float]:
    """``x`` as heard from a source driving past (speed 8-25 m/s, 4-25 m from the kerb): time-varying delay
    (the Doppler shift) and distance gain. Returns (signal, arrival delay of its start in s)."""
    n = len(x)
    t = np.arange(n) / RATE
    speed, dist = rng.uniform(8, 25), rng.uniform(4, 25)
    closest = rng.uniform(0.2, 0.8) * n / RATE  # when it passes the listener
    pos = speed * (t - closest)
    r = np.sqrt(pos ** 2 + dist ** 2)
    r = np.minimum(r, 4 * dist + 30)  # far away it is too quiet to matter; keep the level swing near 12 dB
    delay = r / SOUND_SPEED
    y = np.interp(t - (delay - delay.min()), t, x, left=0.0, right=0.0)  # heard at t: emitted at t - delay
    gain = (dist / r) ** 0.8
    return y * gain, float(delay[0] - delay.min())


def reverb(rng: np.random.Generator, x: np.ndarray, rt60: tuple[float, float] = (0.2, 1.2)) -> np.ndarray:
    """``x`` in a reverberant place: a noise impulse response decaying by 60 dB in ``rt60`` s, mixed with the
    dry sound (the direct path keeps the onset sharp)."""
    t60 = rng.uniform(*rt60)
    m = int(t60 * RATE)
    ir = rng.standard_normal(m) * np.exp(-6.9 * np.arange(m) / m)
    ir = sosfilt(butter(1, rng.uniform(2000, 6000), fs=RATE, output="sos"), ir)
    wet = fftconvolve(x, ir)[: len(x)]
    wet *= _rms(x) / max(_rms(wet), 1e-12)
    return x + rng.uniform(0.3, 1.0) * wet


def espeak(text: str, voice: str, speed: int, pitch: int) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "s.wav")
        run = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", path, text],
                             capture_output=True)
        if run.returncode != 0 or not os.path.exists(path):  # a voice variant this espeak-ng lacks
            subprocess.run(["espeak-ng", "-s", str(speed), "-p", str(pitch), "-w", path, text], check=True,
                           capture_output=True)
        import soundfile as sf

        x, sr = sf.read(path, dtype="float32")
    x = resample_poly(x, RATE, sr).astype(np.float64)
    idx = np.flatnonzero(np.abs(x) > 0.01 * np.abs(x).max())  # trim espeak's leading/trailing silence
    return x[idx[0]:idx[-1] + 1] if len(idx) else x


def traffic(rng: np.random.Generator, n: int) -> np.ndarray:
    """Traffic-like background: rumble, idling engines (firing harmonics, slow revs), passing cars with tyre
    noise, a little hiss and now and then a brake squeal."""
    t = np.arange(n) / RATE
    brown = np.cumsum(rng.standard_normal(n))
    brown -= np.convolve(brown, np.ones(801) / 801, mode="same")
    x = sosfilt(butter(2, rng.uniform(300, 900), fs=RATE, output="sos"), brown) / 30
    for _ in range(int(rng.integers(1, 3))):  # engines: firing frequency 25-90 Hz, revs drifting
        f0 = rng.uniform(25, 90) * (1 + 0.15 * np.sin(2 * np.pi * rng.uniform(0.05, 0.4) * t + rng.uniform(0, 6)))
        eng = _harmonics(2 * np.pi * np.cumsum(f0) / RATE, int(rng.integers(4, 12)), rng.uniform(0.7, 1.5))
        eng *= 1 + 0.3 * np.sin(2 * np.pi * rng.uniform(0.1, 0.5) * t)
        x += rng.uniform(0.15, 0.6) * _rms(x) * eng / _rms(eng)
    for _ in range(int(rng.integers(1, 5))):  # passing cars: band noise rising and falling
        c, w = rng.uniform(0, n / RATE), rng.uniform(1.5, 5.0)
        env = np.exp(-0.5 * ((t - c) / (w / 4)) ** 2)
        band = sosfilt(butter(2, [rng.uniform(150, 400), rng.uniform(1500, 5000)], btype="band", fs=RATE,
                              output="sos"), rng.standard_normal(n))
        x += env * band * _rms(x) * rng.uniform(1.0, 3.0) / _rms(band)
    if rng.random() < 0.15:  # a brake squeal: a steady high tone that is neither siren nor horn
        d = rng.uniform(0.3, 1.2)
        a = int(rng.uniform(0, max(0.01, n / RATE - d)) * RATE)
        sq = _fade(np.sin(2 * np.pi * rng.uniform(2500, 5000) * np.arange(int(d * RATE)) / RATE), 0.05)[: n - a]
        x[a:a + len(sq)] += sq * _rms(x) * rng.uniform(0.3, 1.0)
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


def room(rng: np.random.Generator, n: int) -> np.ndarray:
    """A quiet room: a faint, slightly coloured noise floor (a recording between sentences)."""
    white = rng.standard_normal(n)
    x = sosfilt(butter(1, rng.uniform(300, 3000), fs=RATE, output="sos"), white) + 0.05 * white
    return x / _rms(x)


@dataclass
class Scene:
    audio: np.ndarray  # float32 at RATE
    events: list[tuple[float, float, str]]  # (onset, offset, label), exact by construction


def _place(x: np.ndarray, src: np.ndarray, onset: float, snr_db: float, bg_rms: float,
           truth_len: int | None = None) -> tuple[float, float]:
    """Add ``src`` at ``onset`` s, ``snr_db`` over ``bg_rms``; returns its (onset, offset) in s, the offset
    after ``truth_len`` samples when given (a reverberant tail is not part of the event)."""
    a = int(onset * RATE)
    src = src[: len(x) - a]
    x[a:a + len(src)] += src * bg_rms * 10 ** (snr_db / 20) / _rms(src[: truth_len or len(src)])
    return onset, onset + min(len(src), truth_len or len(src)) / RATE


def _free(events: list, label: str, onset: float, d: float, gap: float = 0.3) -> bool:
    """True when [onset, onset + d] keeps ``gap`` s from every event of ``label`` (the truth never holds two
    overlapping events of one class, which no detector could tell apart)."""
    return all(onset + d + gap <= a or onset >= b + gap for a, b, lab in events if lab == label)


def _onset(rng: np.random.Generator, events: list, label: str, d: float, lo: float, hi: float) -> float | None:
    for _ in range(20):
        o = rng.uniform(lo, max(lo, hi))
        if _free(events, label, o, d):
            return o
    return None


def _street_siren(rng: np.random.Generator, seconds: float, reverberant: bool) -> tuple[np.ndarray, float, int]:
    """(signal, arrival delay s, samples that count as the event) of one siren as heard on the street."""
    x = siren(rng, seconds)
    delay = 0.0
    if rng.random() < 0.5:
        x, delay = doppler(rng, x)
    n_true = len(x) - int(delay * RATE)
    x = x[int(delay * RATE):]  # the event starts when its sound arrives
    if reverberant:
        x = reverb(rng, np.concatenate([x, np.zeros(int(0.6 * RATE))]))
    return x, delay, n_true


LEVELS = {  # event-to-background ratios in dB (low, high); room speech gets another 15-40 dB
    "spec": {"siren": (0.0, 6.0), "horn": (0.0, 6.0), "speech": (0.0, 6.0), "room_speech": (-4.0, 6.0)},
    "wide": {"siren": (-10.0, 6.0), "horn": (-1.0, 9.0), "speech": (-1.0, 9.0), "room_speech": (-4.0, 6.0)},
}


def scene(seed: int, seconds: float = 12.0, levels: str = "spec", speech: bool = True,
          park_share: float = 0.2, room_share: float = 0.15) -> Scene:
    """One soundscape: traffic (or, for ``park_share`` of the seeds, a park with birds; for ``room_share``, a
    quiet room with speech) plus 0-2 sirens (1.5-8 s), 1-3 horns (40 % of them while a siren sounds) and 0-2
    spoken sentences, at the event-to-background ratios of ``LEVELS[levels]``; played at a random level.
    Both level sets draw the same random numbers: a seed's scene differs between them only in its levels."""
    if levels not in LEVELS:
        raise ValueError(f"unknown soundscape levels {levels!r} (choose from {', '.join(LEVELS)})")
    snr = LEVELS[levels]
    rng = np.random.default_rng(seed)
    n = int(seconds * RATE)
    u = rng.random()
    kind = "park" if u < park_share else "room" if u < park_share + room_share else "traffic"
    bg = {"park": park, "room": room, "traffic": traffic}[kind](rng, n)
    reverberant = rng.random() < 0.4
    bg_rms = _rms(bg)
    x = bg.copy()
    events = []
    sirens = []
    n_sirens = int(rng.choice([0, 0, 1, 1, 1, 2])) if kind != "room" else int(rng.choice([0, 0, 0, 1]))
    for _ in range(n_sirens):
        d = rng.uniform(1.5, min(8.0, seconds - 1.0))
        src, delay, n_true = _street_siren(rng, d, reverberant)
        onset = _onset(rng, events, "siren", d, delay, seconds - d)
        level = rng.uniform(*snr["siren"])
        if onset is None:
            continue
        sirens.append(_place(x, src, onset, level, bg_rms, n_true))
        events.append((*sirens[-1], "siren"))
    n_horns = int(rng.integers(1, 4)) if kind != "room" else int(rng.integers(0, 2))
    for _ in range(n_horns):
        d = rng.uniform(0.15, 0.5) if rng.random() < 0.35 else rng.uniform(0.4, 2.0)
        onset = rng.uniform(0, seconds - d)
        if sirens and rng.random() < 0.4:  # drivers honk while a siren sounds
            a, b = sirens[int(rng.integers(len(sirens)))]
            onset = min(seconds - d, rng.uniform(a, max(a, b - d)))
        honks = int(rng.choice([1, 1, 2, 3])) if d < 0.8 else 1  # "beep beep": events with short gaps
        src = horn(rng, d)
        if reverberant:
            src = reverb(rng, np.concatenate([src, np.zeros(int(0.4 * RATE))]), (0.2, 0.8))
        level = rng.uniform(*snr["horn"])
        o = onset
        for _k in range(honks):
            if o + d >= seconds or not _free(events, "car_horn", o, d, 0.15):
                break
            events.append((*_place(x, src, o, level, bg_rms, int(d * RATE)), "car_horn"))
            o += d + rng.uniform(0.15, 0.6)
    if speech:
        spoken = int(rng.integers(0, 3)) if kind != "room" else int(rng.integers(1, 4))
        for _ in range(spoken):
            words = espeak(str(rng.choice(SENTENCES)), str(rng.choice(VOICES)), int(rng.integers(120, 200)),
                           int(rng.integers(20, 80)))
            d = len(words) / RATE
            if d >= seconds - 0.5:
                continue
            n_true = len(words)
            if reverberant or rng.random() < 0.2:
                words = reverb(rng, np.concatenate([words, np.zeros(int(0.4 * RATE))]), (0.2, 0.7))
            level = rng.uniform(*snr["room_speech" if kind == "room" else "speech"])
            level += rng.uniform(15.0, 40.0) if kind == "room" else 0.0  # a quiet room: speech well over its floor
            onset = _onset(rng, events, "speech", d, 0.0, seconds - d)
            if onset is not None:
                events.append((*_place(x, words, onset, level, bg_rms, n_true), "speech"))
    peak_db = rng.uniform(-30.0, -3.0)  # recordings come at any level
    x *= 10 ** (peak_db / 20) / max(1e-9, np.max(np.abs(x)))
    return Scene(x.astype(np.float32), sorted(events))
