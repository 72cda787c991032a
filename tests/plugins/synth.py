"""Test audio made on the spot, with its ground truth: harmonic glides (numpy), MIDI melodies rendered with
fluidsynth + the General MIDI sound font, and espeak-ng speech."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np
import soundfile as sf

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
# General MIDI programs (0-based)
PIANO, VIOLIN, FLUTE, CLARINET = 0, 40, 73, 71


def harmonic_tone(f0: np.ndarray, sr: int, harmonics: int = 6, rolloff: float = 0.7, level: float = 0.5) -> np.ndarray:
    """A harmonic tone following the per-sample f0 track ``f0`` (Hz): harmonic k at amplitude rolloff**(k-1)."""
    phase = 2 * np.pi * np.cumsum(f0) / sr
    out = np.zeros(len(f0))
    for k in range(1, harmonics + 1):
        below_nyquist = (k * f0) < sr / 2
        out += rolloff ** (k - 1) * np.sin(k * phase) * below_nyquist
    return (level * out / np.max(np.abs(out))).astype(np.float32)


def glide(f_start: float, f_end: float, seconds: float, sr: int = 16000, harmonics: int = 6):
    """Exponential glide from ``f_start`` to ``f_end`` Hz: (samples, f0 per sample in Hz)."""
    t = np.arange(int(seconds * sr)) / sr
    f0 = f_start * (f_end / f_start) ** (t / seconds)
    return harmonic_tone(f0, sr, harmonics), f0


@dataclass(frozen=True)
class Note:
    onset: float  # s
    offset: float  # s
    pitch: int  # MIDI number
    velocity: int = 90


def write_midi(notes: list[Note], path: Path, program: int = PIANO, tempo_bpm: float = 120.0) -> Path:
    """A type-0 MIDI file with ``notes`` on channel 0 played by General MIDI ``program``."""
    ticks_per_beat = 480
    tempo = mido.bpm2tempo(tempo_bpm)
    to_ticks = lambda s: int(round(mido.second2tick(s, ticks_per_beat, tempo)))  # noqa: E731
    events = []
    for n in notes:
        events.append((to_ticks(n.onset), 1, mido.Message("note_on", note=n.pitch, velocity=n.velocity)))
        events.append((to_ticks(n.offset), 0, mido.Message("note_off", note=n.pitch, velocity=0)))
    events.sort(key=lambda e: (e[0], e[1]))
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=tempo), mido.Message("program_change", program=program)])
    now = 0
    for tick, _, msg in events:
        track.append(msg.copy(time=tick - now))
        now = tick
    mid = mido.MidiFile(type=0, ticks_per_beat=ticks_per_beat)
    mid.tracks.append(track)
    mid.save(path)
    return path


def render_midi(midi_path: Path, wav_path: Path, sr: int = 22050, gain: float = 0.8) -> tuple[np.ndarray, int]:
    """Render ``midi_path`` with fluidsynth and the FluidR3 GM sound font; returns (mono samples, sr)."""
    if not shutil.which("fluidsynth") or not SOUNDFONT.is_file():
        raise RuntimeError("fluidsynth and the fluid-soundfont-gm sound font are needed (see scripts/install_system_deps.sh)")
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", str(gain), "-r", str(sr), "-F", str(wav_path), str(SOUNDFONT), str(midi_path)],
        check=True, capture_output=True, timeout=120,
    )
    audio, rate = sf.read(wav_path, dtype="float32", always_2d=True)
    return audio.mean(axis=1), rate


def render_notes(notes: list[Note], program: int = PIANO, sr: int = 22050, folder: Path | None = None):
    """Render ``notes`` with a General MIDI instrument: (mono samples, sr)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(folder or tmp)
        mid = write_midi(notes, folder / "melody.mid", program)
        return render_midi(mid, folder / "melody.wav", sr)


def melody(pitches: list[int], note_s: float = 0.4, gap_s: float = 0.05, start_s: float = 0.3,
           velocity: int = 90) -> list[Note]:
    """Consecutive notes of ``note_s`` seconds separated by ``gap_s`` seconds of silence."""
    notes, t = [], start_s
    for p in pitches:
        notes.append(Note(t, t + note_s, p, velocity))
        t += note_s + gap_s
    return notes


def f0_truth(notes: list[Note], times: np.ndarray, margin_s: float = 0.06) -> np.ndarray:
    """Reference f0 (Hz) of a monophonic note list at ``times``; 0 where unsure or silent.

    The ``margin_s`` after each onset and before each offset is left out (attack transients and release tails
    have no single well-defined f0).
    """
    ref = np.zeros(len(times))
    for n in notes:
        inside = (times >= n.onset + margin_s) & (times <= n.offset - margin_s)
        ref[inside] = 440.0 * 2 ** ((n.pitch - 69) / 12)
    return ref


def speech(text: str, wav_path: Path, voice: str = "en") -> tuple[np.ndarray, int]:
    """espeak-ng speech for ``text``: (mono samples, sr)."""
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav_path), text], check=True, capture_output=True, timeout=60)
    audio, rate = sf.read(wav_path, dtype="float32", always_2d=True)
    return audio.mean(axis=1), rate
