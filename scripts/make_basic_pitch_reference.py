"""Reference data for the Basic Pitch note-extraction parity test (tests/plugins/data/basic_pitch_reference.npz).

Our notes plugin re-implements basic-pitch's ``note_creation.output_to_notes_polyphonic`` in numpy
(plugins/notes/note_extraction.py). This script records what upstream's own function returns, so the test can
check the port against it without upstream installed:

1. (project venv) three short fluidsynth renders (piano chords, a flute melody, a fast piano line) go through OUR
   ONNX Basic Pitch model (the plugin's ``BasicPitchModel``); the note and onset activations are rounded to
   float16 (the stored form, so upstream and the test see the same numbers);
2. (a throwaway venv) upstream basic-pitch 0.4.0 turns each activation set into notes with several parameter
   sets;
3. activations, parameter sets and upstream notes are written to one compressed .npz.

The throwaway venv (no TensorFlow: the activations come from our model; onnxruntime only because
``basic_pitch/__init__`` needs one inference runtime to import)::

    python3 -m venv /tmp/bpvenv
    /tmp/bpvenv/bin/pip install --no-deps basic-pitch==0.4.0 onnxruntime==1.31.1
    /tmp/bpvenv/bin/pip install numpy==2.2.6 scipy==1.15.3 librosa==0.11.0 resampy==0.4.2 pretty_midi==0.2.10 \\
        mir_eval==0.8.2 mido==1.3.3 flatbuffers protobuf coloredlogs sympy

Then, from the repository root::

    .venv/bin/python scripts/make_basic_pitch_reference.py --upstream-python /tmp/bpvenv/bin/python
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "plugins" / "data" / "basic_pitch_reference.npz"
SR = 22050

# (onset_threshold, frame_threshold, min_note_frames, fmin, fmax, infer_onsets, melodia_trick); None = no limit
PARAM_SETS = [
    (0.5, 0.3, 11, None, None, True, True),  # basic-pitch's defaults (127.7 ms minimum note)
    (0.6, 0.4, 5, 100.0, 1000.0, True, True),
    (0.4, 0.25, 11, None, None, True, False),
    (0.5, 0.3, 8, None, None, False, True),
    (0.3, 0.1, 3, None, None, True, True),  # low thresholds: many dips below the frame threshold, many notes
    (0.3, 0.15, 5, None, None, False, False),
]


def pieces() -> dict[str, tuple[int, list[tuple[float, float, int, int]]]]:
    """name -> (GM program, notes (onset s, offset s, MIDI pitch, velocity)), cut to 3.5 s, seeded."""
    rng = np.random.default_rng(16)
    chords, t = [], 0.2
    for root in (48, 53, 55, 50, 57):
        for step in (0, 4, 7, 12):
            chords.append((t, t + 0.7, root + step, int(rng.integers(60, 100))))
        t += 0.75
    flute, t = [], 0.1
    for pitch in rng.integers(67, 86, 9):
        length = float(rng.choice([0.3, 0.45, 0.6]))
        flute.append((t, t + length * 0.9, int(pitch), int(rng.integers(70, 110))))
        t += length
    fast, t = [], 0.1
    for i, pitch in enumerate(rng.integers(60, 84, 24)):
        fast.append((t, t + 0.12, int(pitch), int(rng.integers(50, 120))))
        if i % 6 == 0:
            fast.append((t, t + 0.5, int(pitch) - 12, 70))
        t += 0.15
    return {"piano_chords": (0, chords), "flute_melody": (73, flute), "piano_fast": (0, fast)}


def midi_file(program: int, notes):
    """A mido MidiFile playing ``notes`` (polyphony allowed) at 120 bpm."""
    import mido

    mid = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    mid.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=500000))  # 960 ticks per second
    track.append(mido.Message("program_change", program=program, channel=0, time=0))
    events = sorted([(on, 1, p, v) for on, _, p, v in notes] + [(off, 0, p, 0) for _, off, p, _ in notes])
    now = 0
    for sec, is_on, pitch, vel in events:
        tick = int(round(sec * 960))
        track.append(mido.Message("note_on" if is_on else "note_off", note=pitch, velocity=vel, channel=0,
                                  time=tick - now))
        now = tick
    return mid


def our_activations(tmp: Path) -> dict[str, np.ndarray]:
    """Note and onset activations (float16) of our ONNX model on each rendered piece."""
    import soundfile as sf

    from workbench.core.models import default_store
    from workbench_plugins.ddsp.midi_render import render_midi
    from workbench_plugins.notes.basic_pitch_onnx import BasicPitchModel

    model = BasicPitchModel(default_store().path("basic-pitch"), "cpu")
    arrays = {}
    for name, (program, notes) in pieces().items():
        wav = render_midi(midi_file(program, notes), tmp / f"{name}.wav", sample_rate=SR, gain=0.8)
        y, sr = sf.read(str(wav), dtype="float32", always_2d=True)
        assert sr == SR
        acts = model.activations(y.mean(axis=1)[: int(3.5 * SR)])
        arrays[f"{name}/note"] = acts.note.astype(np.float16)
        arrays[f"{name}/onset"] = acts.onset.astype(np.float16)
    return arrays


def upstream_notes(src: Path, dst: Path) -> None:
    """(Run in the throwaway venv) upstream's notes for every activation set and parameter set in ``src``."""
    from importlib.metadata import version

    from basic_pitch.note_creation import output_to_notes_polyphonic

    data = np.load(src)
    names = sorted({k.split("/")[0] for k in data.files})
    out = {"upstream_version": np.array(version("basic-pitch"))}
    for name in names:
        frames, onsets = data[f"{name}/note"].astype(np.float32), data[f"{name}/onset"].astype(np.float32)
        for i, (on_t, fr_t, min_len, fmin, fmax, infer, melodia) in enumerate(PARAM_SETS):
            # copies: upstream zeroes the activations outside fmin..fmax in place
            notes = output_to_notes_polyphonic(frames.copy(), onsets.copy(), onset_thresh=on_t, frame_thresh=fr_t,
                                               min_note_len=min_len, infer_onsets=infer, max_freq=fmax,
                                               min_freq=fmin, melodia_trick=melodia)
            notes = sorted((int(s), int(e), int(p), float(a)) for s, e, p, a in notes)
            out[f"{name}/notes{i}"] = np.array([n[:3] for n in notes], dtype=np.int32).reshape(-1, 3)
            out[f"{name}/amplitudes{i}"] = np.array([n[3] for n in notes], dtype=np.float32)
    np.savez(dst, **out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--upstream-python", help="python of the throwaway venv holding upstream basic-pitch")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--upstream-notes", nargs=2, metavar=("ACTIVATIONS", "NOTES"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.upstream_notes:  # the step that runs inside the throwaway venv
        upstream_notes(Path(args.upstream_notes[0]), Path(args.upstream_notes[1]))
        return
    if not args.upstream_python:
        ap.error("--upstream-python is required (see the module docstring for the throwaway venv)")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        acts = our_activations(tmp)
        np.savez(tmp / "acts.npz", **acts)
        subprocess.run([args.upstream_python, __file__, "--upstream-notes", str(tmp / "acts.npz"),
                        str(tmp / "notes.npz")], check=True)
        notes = dict(np.load(tmp / "notes.npz"))
    params = json.dumps(PARAM_SETS)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, param_sets=np.array(params), **acts, **notes)
    counts = {k: len(v) for k, v in notes.items() if "/notes" in k}
    print(f"wrote {args.out} ({args.out.stat().st_size / 1024:.0f} KB), upstream basic-pitch "
          f"{notes['upstream_version']}; notes per set: {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
