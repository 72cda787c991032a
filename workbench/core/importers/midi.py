"""Standard MIDI files as Notes (any tempo map: mido turns ticks into seconds)."""

from __future__ import annotations

from collections import defaultdict, deque
from pathlib import Path

import mido
import numpy as np

from ..errors import WorkbenchError
from ..layers import Layer, Notes
from .common import base_kwargs


def read_midi(path: Path, kind: str | None = None) -> list[Layer]:
    try:
        mid = mido.MidiFile(path)
    except (OSError, EOFError, ValueError, KeyError, IndexError) as exc:
        raise WorkbenchError(f"Cannot read '{path.name}' as MIDI: {exc}") from None
    name = next((m.name for t in mid.tracks for m in t if m.type == "track_name" and m.name.strip()), "")
    now, active, notes = 0.0, defaultdict(deque), []
    for msg in mid:  # merged tracks, delta times in seconds
        now += msg.time
        if msg.type == "note_on" and msg.velocity > 0:
            active[(msg.channel, msg.note)].append((now, msg.velocity))
        elif msg.type in ("note_off", "note_on") and active[(msg.channel, msg.note)]:
            start, vel = active[(msg.channel, msg.note)].popleft()
            notes.append((start, now, msg.note, vel))
    for (_, note), pending in active.items():  # never released: end at the end of the file
        notes += [(start, now, note, vel) for start, vel in pending]
    notes.sort()
    cols = np.array(notes, dtype=np.float64).reshape(-1, 4)
    return [Notes(onsets=cols[:, 0], offsets=cols[:, 1], pitches=cols[:, 2], velocities=cols[:, 3],
                  **base_kwargs(path, name))]
