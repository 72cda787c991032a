"""Our Basic Pitch note extraction against upstream basic-pitch 0.4.0's ``output_to_notes_polyphonic``.

tests/plugins/data/basic_pitch_reference.npz holds activations of our ONNX model on fluidsynth renders and the
notes upstream's own code made from them (scripts/make_basic_pitch_reference.py, in a throwaway venv); the port
must give the same notes, frame for frame, for every parameter set.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from workbench_plugins.notes.note_extraction import extract_notes

REFERENCE = Path(__file__).parent / "data" / "basic_pitch_reference.npz"


def _reference():
    data = np.load(REFERENCE)
    sets = json.loads(str(data["param_sets"]))
    names = sorted({k.split("/")[0] for k in data.files if "/" in k})
    return data, [(name, i, p) for name in names for i, p in enumerate(sets)]


DATA, CASES = _reference()


def test_reference_covers_polyphony_and_every_option():
    assert str(DATA["upstream_version"]) == "0.4.0"
    assert {name for name, _, _ in CASES} == {"piano_chords", "flute_melody", "piano_fast"}
    sets = {tuple(p) for _, _, p in CASES}
    assert any(p[3] is not None for p in sets) and any(not p[5] for p in sets) and any(not p[6] for p in sets)
    chords = DATA["piano_chords/notes0"]
    overlapping = sum(np.sum((chords[:, 0] < e) & (chords[:, 1] > s)) - 1 for s, e, _ in chords)
    assert overlapping > 20  # really polyphonic


@pytest.mark.parametrize("name,index,param_set", CASES, ids=[f"{n}-{i}" for n, i, _ in CASES])
def test_port_gives_upstreams_notes(name, index, param_set):
    onset_t, frame_t, min_frames, fmin, fmax, infer, melodia = param_set
    frames = DATA[f"{name}/note"].astype(np.float32)
    onsets = DATA[f"{name}/onset"].astype(np.float32)
    expected = DATA[f"{name}/notes{index}"]
    ev = extract_notes(frames, onsets, onset_t, frame_t, min_frames, fmin=fmin, fmax=fmax, infer_onsets=infer,
                       melodia_trick=melodia)
    ours = sorted(zip(ev.starts.tolist(), ev.ends.tolist(), ev.pitches.tolist(), ev.amplitudes.tolist()))
    assert len(expected) > 5
    assert [list(n[:3]) for n in ours] == expected.tolist()
    np.testing.assert_allclose([n[3] for n in ours], DATA[f"{name}/amplitudes{index}"], rtol=1e-5)
