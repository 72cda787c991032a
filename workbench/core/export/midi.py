"""Standard MIDI file export of Notes (mido): tempo 120 bpm, 480 ticks per beat.

At 120 bpm a tick lasts 1/960 s, so every onset and offset lands within 0.53 ms of its time in seconds.
"""

from __future__ import annotations

import io
from pathlib import Path

import mido
import numpy as np

from ..audio import AudioBuffer
from ..layers import Notes
from .atomic import write_bytes

TICKS_PER_BEAT = 480
TEMPO_US = 500_000  # microseconds per beat = 120 bpm
TICKS_PER_SECOND = TICKS_PER_BEAT * 1_000_000 / TEMPO_US


def seconds_to_ticks(t: np.ndarray) -> np.ndarray:
    """Absolute times in seconds to absolute MIDI ticks at the fixed tempo (negative times clamp to 0)."""
    return np.round(np.maximum(np.asarray(t, dtype=np.float64), 0.0) * TICKS_PER_SECOND).astype(np.int64)


def notes_to_midifile(layer: Notes, program: int = 0) -> mido.MidiFile:
    """A type-0 MIDI file with one note per row of ``layer`` (pitch rounded to the nearest semitone)."""
    on = seconds_to_ticks(layer.onsets)
    off = np.maximum(seconds_to_ticks(layer.offsets), on + 1)  # a note needs at least one tick
    pitch = np.clip(np.round(layer.pitches), 0, 127).astype(int)
    vel = np.clip(np.round(layer.velocities), 1, 127).astype(int)
    # (tick, order, msg): note-offs sort before note-ons at the same tick so repeated notes retrigger.
    events = []
    for i in range(len(layer)):
        events.append((int(off[i]), 0, mido.Message("note_off", note=int(pitch[i]), velocity=0, channel=0)))
        events.append((int(on[i]), 1, mido.Message("note_on", note=int(pitch[i]), velocity=int(vel[i]), channel=0)))
    events.sort(key=lambda e: (e[0], e[1]))
    track = mido.MidiTrack()
    track.append(mido.MetaMessage("track_name", name=layer.name[:120], time=0))
    track.append(mido.MetaMessage("set_tempo", tempo=TEMPO_US, time=0))
    track.append(mido.Message("program_change", program=program, channel=0, time=0))
    now = 0
    for tick, _, msg in events:
        track.append(msg.copy(time=tick - now))
        now = tick
    track.append(mido.MetaMessage("end_of_track", time=0))
    mid = mido.MidiFile(type=0, ticks_per_beat=TICKS_PER_BEAT)
    mid.tracks.append(track)
    return mid


def notes_mid(layer: Notes, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """Write ``layer`` as a standard MIDI file."""
    buf = io.BytesIO()
    notes_to_midifile(layer).save(file=buf)
    return [write_bytes(path, buf.getvalue())]
