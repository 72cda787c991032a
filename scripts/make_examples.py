#!/usr/bin/env python3
"""Make the bundled examples in resources/examples/: short, licence-clean audio the project generates itself.

    .venv/bin/python scripts/make_examples.py [--out resources/examples]

Needs espeak-ng, fluidsynth and the FluidR3 GM sound font (Debian: espeak-ng fluidsynth fluid-soundfont-gm;
FluidR3 GM is MIT-licensed) and the Python packages mido, numpy, soundfile. Every example is made from numbers
in this file (fixed seeds), so re-running it gives the same music; the renders may differ in the last bits
between fluidsynth versions. Writes OGG Vorbis (small), then ``PROVENANCE.md`` with the sha256 of each file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import mido
import numpy as np
import soundfile as sf

SR = 22050
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
ROOT = Path(__file__).resolve().parents[1]

EXAMPLES = {  # file -> (title, what to try)
    "speech.ogg": ("Speech (espeak-ng)", "Speech recognition, voice activity, pitch of a voice"),
    "song.ogg": ("Song with a voice (fluidsynth + espeak-ng)",
                 "Separation, then transcribe or pitch-track the vocals stem (Input: the stem)"),
    "soundscape.ogg": ("Soundscape: stream, birds and a bell", "Sound events, tagging, the spectrum panel"),
    "violin.ogg": ("Violin melody (fluidsynth)", "Pitch, notes, the harmonic cursor (H) and the measure box (M)"),
}


def _midi(tracks: list[tuple[int, int, list[tuple[float, float, int, int]]]], path: Path, bpm: float = 100) -> Path:
    """tracks: (channel, GM program, [(onset s, offset s, MIDI pitch, velocity)]) -> a type-1 MIDI file."""
    tpb, tempo = 480, mido.bpm2tempo(bpm)
    mid = mido.MidiFile(type=1, ticks_per_beat=tpb)
    for ch, program, notes in tracks:
        tick = lambda s: int(round(mido.second2tick(s, tpb, tempo)))  # noqa: E731
        ev = sorted([(tick(a), 1, mido.Message("note_on", channel=ch, note=p, velocity=v)) for a, _, p, v in notes]
                    + [(tick(b), 0, mido.Message("note_off", channel=ch, note=p, velocity=0)) for _, b, p, _ in notes],
                    key=lambda e: (e[0], e[1]))
        tr = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=tempo),
                             mido.Message("program_change", channel=ch, program=program)])
        now = 0
        for t, _, msg in ev:
            tr.append(msg.copy(time=t - now))
            now = t
        mid.tracks.append(tr)
    mid.save(path)
    return path


def _render(tracks, folder: Path, name: str, bpm: float = 100) -> np.ndarray:
    mid = _midi(tracks, folder / f"{name}.mid", bpm)
    wav = folder / f"{name}.wav"
    subprocess.run(["fluidsynth", "-ni", "-q", "-g", "0.7", "-r", str(SR), "-F", str(wav), str(SOUNDFONT), str(mid)],
                   check=True, capture_output=True, timeout=300)
    x, sr = sf.read(wav, dtype="float32", always_2d=True)
    assert sr == SR
    return x.mean(axis=1)


def _speak(text: str, folder: Path, voice: str = "en-us", pitch: int = 50, speed: int = 160) -> np.ndarray:
    wav = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(wav), text],
                   check=True, capture_output=True, timeout=60)
    x, sr = sf.read(wav, dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if sr != SR:
        from scipy.signal import resample_poly

        x = resample_poly(x, SR, sr).astype(np.float32)
    return x


def _place(out: np.ndarray, x: np.ndarray, at_s: float, gain: float = 1.0) -> None:
    a = int(at_s * SR)
    n = min(len(x), len(out) - a)
    if n > 0:
        out[a:a + n] += gain * x[:n]


def _normalise(x: np.ndarray, peak: float = 0.8) -> np.ndarray:
    return (x * (peak / max(1e-9, float(np.max(np.abs(x)))))).astype(np.float32)


def make_speech(folder: Path) -> np.ndarray:
    text = ("Welcome to the audio workbench. Open a file, look at its spectrogram, "
            "and run a plugin to see what it hears.")
    x = _speak(text, folder)
    out = np.zeros(len(x) + SR, np.float32)
    _place(out, x, 0.4)
    return _normalise(out)


def make_song(folder: Path) -> np.ndarray:
    beat = 60 / 100
    chords = [(57, 60, 64), (53, 57, 60), (48, 52, 55), (55, 59, 62)] * 2  # Am F C G, twice
    piano, bass, drums = [], [], []
    for bar, chord in enumerate(chords):
        t0 = bar * 4 * beat
        for k in range(4):
            for p in chord:
                piano.append((t0 + k * beat, t0 + (k + 0.9) * beat, p, 62))
        bass.append((t0, t0 + 3.8 * beat, chord[0] - 24, 90))
        for k in range(4):
            drums.append((t0 + k * beat, t0 + k * beat + 0.1, 36 if k % 2 == 0 else 38, 95))
            drums.append((t0 + (k + 0.5) * beat, t0 + (k + 0.5) * beat + 0.05, 42, 60))
    music = _render([(0, 0, piano), (1, 33, bass), (9, 0, drums)], folder, "song")
    out = np.zeros(int(len(chords) * 4 * beat * SR + 1.5 * SR), np.float32)
    _place(out, music, 0.0, 0.45 / max(1e-9, float(np.max(np.abs(music)))))
    lines = ["Let's go fishing down by the river", "the water is singing and the sun is warm",
             "we sit by the shore and wait for the evening", "then home again when the stars come out"]
    for i, line in enumerate(lines):
        voice = _speak(line, folder, voice="en-us+f3", pitch=62 - 6 * (i % 2), speed=150)
        _place(out, voice, 0.3 + i * 4 * beat * 2, 0.7 / max(1e-9, float(np.max(np.abs(voice)))))
    return _normalise(out)


def make_soundscape(folder: Path, seconds: float = 12.0) -> np.ndarray:
    from scipy.signal import butter, sosfilt

    rng = np.random.default_rng(7)
    n = int(seconds * SR)
    stream = sosfilt(butter(4, [200, 1800], btype="bandpass", fs=SR, output="sos"), rng.standard_normal(n))
    stream *= 0.6 + 0.4 * np.sin(2 * np.pi * 0.3 * np.arange(n) / SR) ** 2  # the water comes in swells
    out = (0.12 * stream / np.max(np.abs(stream))).astype(np.float32)
    for start in (0.8, 2.9, 5.6, 8.2, 10.1):  # birds: groups of fast downward chirps
        for k in range(int(rng.integers(3, 7))):
            dur = 0.07 + 0.03 * rng.random()
            t = np.arange(int(dur * SR)) / SR
            f = (4200 + 800 * rng.random()) * (0.55 ** (t / dur))
            chirp = np.sin(2 * np.pi * np.cumsum(f) / SR) * np.hanning(len(t))
            _place(out, chirp.astype(np.float32), start + k * 0.14, 0.35)
    bell = _render([(0, 14, [(0.0, 3.5, 67, 100), (1.2, 4.0, 62, 90)])], folder, "bell")
    _place(out, bell, 4.0, 0.5 / max(1e-9, float(np.max(np.abs(bell)))))
    return _normalise(out, 0.7)


def make_violin(folder: Path) -> np.ndarray:
    pitches = [69, 71, 72, 74, 76, 74, 72, 71, 69, 64, 69]  # A minor, up and down
    notes, t = [], 0.3
    for i, p in enumerate(pitches):
        d = 1.2 if i in (4, len(pitches) - 1) else 0.55
        notes.append((t, t + d, p, 90))
        t += d + 0.05
    x = _render([(0, 40, notes)], folder, "violin", bpm=100)
    return _normalise(np.concatenate([x, np.zeros(SR // 2, np.float32)]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "resources" / "examples")
    args = ap.parse_args(argv)
    for tool in ("espeak-ng", "fluidsynth"):
        if not shutil.which(tool):
            print(f"error: {tool} is needed (see scripts/install_system_deps.sh)", file=sys.stderr)
            return 2
    if not SOUNDFONT.is_file():
        print(f"error: the sound font {SOUNDFONT} is missing (Debian: fluid-soundfont-gm)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    makers = {"speech.ogg": make_speech, "song.ogg": make_song, "soundscape.ogg": make_soundscape,
              "violin.ogg": make_violin}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in makers.items():
            x = make(Path(tmp))
            target = args.out / name
            sf.write(str(target), x, SR, format="OGG", subtype="VORBIS")
            digest = hashlib.sha256(target.read_bytes()).hexdigest()
            title, _ = EXAMPLES[name]
            rows.append(f"| `{name}` | {title} | {len(x) / SR:.1f} s | `{digest}` |")
            print(f"{name}: {len(x) / SR:.1f} s, {target.stat().st_size // 1024} KiB")
    # what Help > Examples lists (title, what to try), in menu order
    (args.out / "examples.json").write_text(json.dumps(
        [{"file": name, "title": EXAMPLES[name][0], "try": EXAMPLES[name][1]} for name in makers], indent=1) + "\n",
        encoding="utf-8")
    (args.out / "PROVENANCE.md").write_text(
        "# Bundled examples\n\n"
        "Made by the project with `scripts/make_examples.py` (fixed seeds): speech from espeak-ng, music from MIDI\n"
        "the script writes, rendered by fluidsynth with the FluidR3 GM sound font (MIT licence), noise and bird\n"
        "chirps synthesized with numpy. No recording of anyone; the files are distributed with the workbench\n"
        "under its licence (GPL-3.0-or-later). Help > Examples opens them.\n\n"
        "| file | what | length | sha256 |\n|---|---|---|---|\n" + "\n".join(rows) + "\n\n"
        "`examples.json` lists them for the menu (title and what to try with each).\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
