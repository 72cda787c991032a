"""Monophonic melodies written as MIDI (mido) and rendered with fluidsynth, to make training and test audio.

FluidR3_GM (Debian ``fluid-soundfont-gm``, MIT licence) is the default sound font.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from workbench.core.errors import WorkbenchError

DEFAULT_SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
GM_PROGRAMS = {"violin": 40, "cello": 42, "trumpet": 56, "clarinet": 71, "flute": 73, "oboe": 68, "sax": 65}


def random_melody(seed: int, low: int, high: int, seconds: float, program: int, legato: float = 0.7,
                  rest_prob: float = 0.1):
    """A mido MidiFile with one random melody (stepwise with leaps) between MIDI notes ``low``..``high``."""
    import mido

    rng = np.random.default_rng(seed)
    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=500000))  # 120 bpm: 960 ticks per second
    tr.append(mido.Message("program_change", program=program, channel=0, time=0))
    note, t, pending = int(rng.integers(low, high + 1)), 0.0, 0
    while t < seconds:
        dur = float(rng.choice([0.25, 0.375, 0.5, 0.75, 1.0, 1.5]))
        if rng.random() < rest_prob:
            pending += int(dur * 960)
            t += dur
            continue
        step = int(rng.choice([-7, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 7, 12, -12]))
        note = int(np.clip(note + step, low, high))
        vel = int(rng.integers(55, 120))
        on_ticks = max(30, int(dur * 960 * (legato if rng.random() < 0.5 else 0.95)))
        tr.append(mido.Message("note_on", note=note, velocity=vel, channel=0, time=pending))
        tr.append(mido.Message("note_off", note=note, velocity=0, channel=0, time=on_ticks))
        pending = int(dur * 960) - on_ticks
        t += dur
    tr.append(mido.MetaMessage("end_of_track", time=max(0, pending)))
    return mid


def render_midi(midi, out_wav: str | Path, sample_rate: int = 16000, soundfont: str | Path = DEFAULT_SOUNDFONT,
                gain: float = 0.6, effects: bool = False) -> Path:
    """Render a mido MidiFile or .mid path to a WAV with fluidsynth (reverb/chorus off unless ``effects``)."""
    exe = shutil.which("fluidsynth")
    if exe is None:
        raise WorkbenchError("fluidsynth is not installed (Debian package 'fluidsynth')")
    if not Path(soundfont).is_file():
        raise WorkbenchError(f"Sound font not found: {soundfont} (Debian package 'fluid-soundfont-gm')")
    out_wav = Path(out_wav)
    with tempfile.TemporaryDirectory() as tmp:
        mid_path = Path(midi) if isinstance(midi, (str, Path)) else Path(tmp) / "in.mid"
        if not isinstance(midi, (str, Path)):
            midi.save(str(mid_path))
        fx = [] if effects else ["-R", "0", "-C", "0"]
        cmd = [exe, "-ni", "-q", *fx, "-g", str(gain), "-r", str(sample_rate), "-F", str(out_wav), str(soundfont),
               str(mid_path)]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if res.returncode != 0 or not out_wav.is_file():
        raise WorkbenchError(f"fluidsynth failed: {res.stderr.strip()[:300]}")
    return out_wav


def render_melody(instrument: str, seed: int, seconds: float, out_wav: str | Path, low: int, high: int,
                  sample_rate: int = 16000) -> np.ndarray:
    """Render a random ``instrument`` melody; returns mono float32 samples at ``sample_rate``."""
    import soundfile as sf

    mid = random_melody(seed, low, high, seconds, GM_PROGRAMS[instrument])
    render_midi(mid, out_wav, sample_rate)
    y, sr = sf.read(str(out_wav), dtype="float32", always_2d=True)
    return y.mean(axis=1)
