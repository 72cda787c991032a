"""Songs with exact truth for the beat, key and chord plugins: chord progressions with bass and drums, written as
MIDI (mido) and rendered with fluidsynth + the General MIDI sound font.

A :class:`Song` is drawn from a seeded generator (key, mode, tempo, meter, instrument, progression, rhythm); its
truth (beat times, downbeats, chord segments in Harte syntax, the key) comes from the same numbers the MIDI is
written from. Used by the unit tests (short songs) and by ``benchmarks/eval_beats.py`` / ``eval_key.py`` /
``eval_chords.py`` (many songs, a fixed seed of their own). :func:`phone` degrades a clip like a phone held up
to a loudspeaker (song identification tests and ``benchmarks/eval_audio_id.py``).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import mido
import numpy as np

from .synth import render_midi

NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
QUALITIES = {"maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10)}
# Progressions as (scale-degree semitones above the tonic, quality)
MAJOR_PROGRESSIONS = (
    ((0, "maj"), (7, "maj"), (9, "min"), (5, "maj")),  # I V vi IV
    ((0, "maj"), (5, "maj"), (7, "7"), (0, "maj")),  # I IV V7 I
    ((2, "min"), (7, "7"), (0, "maj"), (9, "min")),  # ii V7 I vi
    ((0, "maj"), (9, "min"), (5, "maj"), (7, "maj")),  # I vi IV V
    ((9, "min"), (5, "maj"), (0, "maj"), (7, "maj")),  # vi IV I V
    ((0, "maj"), (4, "min"), (5, "maj"), (7, "7")),  # I iii IV V7
)
MINOR_PROGRESSIONS = (
    ((0, "min"), (5, "min"), (7, "7"), (0, "min")),  # i iv V7 i
    ((0, "min"), (8, "maj"), (3, "maj"), (10, "maj")),  # i VI III VII
    ((0, "min"), (10, "maj"), (8, "maj"), (7, "maj")),  # i VII VI V
    ((0, "min"), (5, "min"), (10, "maj"), (3, "maj")),  # i iv VII III
    ((0, "min"), (8, "maj"), (5, "min"), (7, "7")),  # i VI iv V7
)
CHORD_PROGRAMS = (0, 4, 16, 24, 25, 48, 88, 19, 26)  # piano, e-piano, organ, guitars, strings, pad, church organ
BASS_PROGRAMS = (32, 33, 34, 38)
KICK, SNARE, HAT = 36, 38, 42


@dataclass
class Song:
    """One generated song and its truth (times in seconds)."""

    tonic: int  # pitch class 0 = C
    mode: str  # "major" | "minor"
    tempo: float  # BPM
    meter: int  # beats per bar
    program: int  # General MIDI program of the chord instrument
    bass_program: int
    pattern: str  # "block" | "stabs" | "arpeggio"
    chords: list[tuple[float, float, str]] = field(default_factory=list)  # (start, end, Harte label)
    beats: np.ndarray = field(default_factory=lambda: np.zeros(0))
    downbeats: np.ndarray = field(default_factory=lambda: np.zeros(0))
    duration: float = 0.0

    @property
    def key(self) -> str:
        return f"{NAMES[self.tonic]} {self.mode}"


def harte(root_pc: int, quality: str) -> str:
    return f"{NAMES[root_pc % 12]}:{quality}"


def draw_song(rng: np.random.Generator, bars: int = 12, tempo: float | None = None, meter: int | None = None,
              tonic: int | None = None, mode: str | None = None, lead_in: float = 0.5,
              pattern: str | None = None) -> Song:
    """A random song; every argument left None is drawn from ``rng``."""
    tempo = float(tempo if tempo is not None else rng.uniform(72, 160))
    meter = int(meter if meter is not None else rng.choice([4, 4, 3]))
    tonic = int(tonic if tonic is not None else rng.integers(12))
    mode = mode or str(rng.choice(["major", "minor"]))
    song = Song(tonic, mode, tempo, meter, int(rng.choice(CHORD_PROGRAMS)), int(rng.choice(BASS_PROGRAMS)),
                str(rng.choice(["block", "stabs", "arpeggio"])))
    song.pattern = pattern or song.pattern
    progs = MAJOR_PROGRESSIONS if mode == "major" else MINOR_PROGRESSIONS
    prog = progs[int(rng.integers(len(progs)))]
    spb = 60.0 / tempo
    n_beats = bars * meter
    song.beats = lead_in + spb * np.arange(n_beats)
    song.downbeats = song.beats[::meter]
    split = meter == 4 and rng.random() < 0.3  # some songs change chord every half bar
    step = 2 if split else meter
    t, i = lead_in, 0
    for b in range(0, n_beats, step):
        deg, q = prog[i % len(prog)]
        song.chords.append((t, t + step * spb, harte(tonic + deg, q)))
        t += step * spb
        i += 1
    song.duration = t + 1.5
    return song


def _chord_notes(label: str, rng: np.random.Generator) -> tuple[int, list[int]]:
    """(bass MIDI note, voiced chord MIDI notes) of a Harte label, in a random inversion around C4."""
    name, quality = label.split(":")
    root = NAMES.index(name)
    pcs = [(root + iv) % 12 for iv in QUALITIES[quality]]
    low = 55 + int(rng.integers(0, 5))  # lowest note of the voicing: G3..B3
    notes = sorted(low + ((pc - low) % 12) for pc in pcs)
    bass = 36 + ((root - 36) % 12)  # C2..B2
    return bass, notes


def write_song_midi(song: Song, path: Path, rng: np.random.Generator) -> Path:
    """A type-1 MIDI file of ``song``: chords (channel 0), bass (channel 1), drums (channel 9)."""
    tpb, tempo = 480, mido.bpm2tempo(song.tempo)
    tick = lambda s: int(round(mido.second2tick(s, tpb, tempo)))  # noqa: E731
    spb = 60.0 / song.tempo
    ev: dict[int, list] = {0: [], 1: [], 9: []}

    def note(ch, t0, t1, pitch, vel):
        ev[ch].append((tick(t0), 1, mido.Message("note_on", channel=ch, note=pitch, velocity=vel)))
        ev[ch].append((tick(t1), 0, mido.Message("note_off", channel=ch, note=pitch, velocity=0)))

    for start, end, label in song.chords:
        bass, notes = _chord_notes(label, rng)
        beats = int(round((end - start) / spb))
        if song.pattern == "block":
            for p in notes:
                note(0, start, end - 0.02, p, 70)
        elif song.pattern == "stabs":
            for b in range(beats):
                for p in notes:
                    note(0, start + b * spb, start + (b + 0.8) * spb, p, 72)
        else:  # arpeggio in eighth notes
            seq = notes + notes[1:-1][::-1]
            for k in range(2 * beats):
                note(0, start + k * spb / 2, start + (k + 1) * spb / 2, seq[k % len(seq)], 75)
        note(1, start, start + spb * min(beats, 2) - 0.05, bass, 95)
        if beats > 2:
            note(1, start + 2 * spb, end - 0.05, bass + (7 if beats > 3 else 0), 85)
    for i, t in enumerate(song.beats):
        pos = i % song.meter
        if pos == 0 or (song.meter == 4 and pos == 2):
            note(9, t, t + 0.1, KICK, 110 if pos == 0 else 90)
        if (song.meter == 4 and pos in (1, 3)) or (song.meter == 3 and pos in (1, 2)):
            note(9, t, t + 0.1, SNARE, 85 if song.meter == 4 else 60)
        note(9, t, t + 0.05, HAT, 70)
        note(9, t + spb / 2, t + spb / 2 + 0.05, HAT, 45)
    mid = mido.MidiFile(type=1, ticks_per_beat=tpb)
    programs = {0: song.program, 1: song.bass_program, 9: None}
    for ch, events in ev.items():
        track = mido.MidiTrack()
        if ch == 0:
            track.append(mido.MetaMessage("set_tempo", tempo=tempo))
        if programs[ch] is not None:
            track.append(mido.Message("program_change", channel=ch, program=programs[ch]))
        now = 0
        for t, _, msg in sorted(events, key=lambda e: (e[0], e[1])):
            track.append(msg.copy(time=t - now))
            now = t
        mid.tracks.append(track)
    mid.save(path)
    return path


def render_song(song: Song, rng: np.random.Generator, sr: int = 22050, folder: Path | None = None):
    """Render ``song`` through fluidsynth: (mono float32 samples, sr)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(folder or tmp)
        mid = write_song_midi(song, folder / "song.mid", rng)
        y, rate = render_midi(mid, folder / "song.wav", sr)
    return y[: int(song.duration * rate)], rate


def songs(seed: int, count: int, bars: int = 12, **fixed):
    """``count`` (Song, samples, sr) drawn and rendered from ``seed`` (the same seed gives the same songs)."""
    rng = np.random.default_rng(seed)
    for _ in range(count):
        song = draw_song(rng, bars=bars, **fixed)
        y, sr = render_song(song, rng)
        yield song, y, sr


def pink_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    spec = np.fft.rfft(rng.standard_normal(n))
    f = np.arange(len(spec))
    spec[1:] /= np.sqrt(f[1:])
    spec[0] = 0
    return np.fft.irfft(spec, n)


def phone(y: np.ndarray, sr: int, rng: np.random.Generator) -> np.ndarray:
    """300-4000 Hz band, pink noise at 5 dB SNR within the band, random gain (-20..+6 dB), clipped to +-1."""
    from scipy.signal import butter, sosfiltfilt

    sos = butter(4, [300, min(4000, 0.45 * sr)], "bandpass", fs=sr, output="sos")
    music = sosfiltfilt(sos, y)
    noise = sosfiltfilt(sos, pink_noise(len(y), rng))
    noise *= np.sqrt(np.mean(music ** 2) / max(np.mean(noise ** 2), 1e-12) / 10 ** 0.5)
    gain = 10 ** (rng.uniform(-20, 6) / 20)
    return np.clip(gain * (music + noise), -1, 1).astype(np.float32)
