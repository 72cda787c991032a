"""Music tagging with the converted musicnn: fluidsynth renderings made here, and the TF reference outputs."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import mido
import numpy as np
import pytest
import soundfile as sf
import torch

from workbench.core.audio import AudioBuffer
from workbench.core.layers import Tags

SF2 = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "models"


def render(mid: mido.MidiFile, rate: int = 44100) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        mp, wp = os.path.join(d, "a.mid"), os.path.join(d, "a.wav")
        mid.save(mp)
        subprocess.run(["fluidsynth", "-ni", "-g", "0.8", "-F", wp, "-r", str(rate), SF2, mp],
                       check=True, capture_output=True)
        x, _ = sf.read(wp, dtype="float32", always_2d=True)
    return x.T.copy()


def _midi(events, bpm: int) -> mido.MidiFile:
    mid = mido.MidiFile(ticks_per_beat=480)
    t = mido.MidiTrack()
    mid.tracks.append(t)
    t.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
    t.extend(events)
    return mid


def melody(program: int, seconds: float = 12.0, bpm: int = 90) -> mido.MidiFile:
    """A legato scale-wise tune played by one General MIDI ``program``."""
    seq = [67, 69, 71, 72, 74, 72, 71, 69, 67, 64, 65, 67, 69, 71, 72, 74]
    ev = [mido.Message("program_change", channel=0, program=program)]
    for i in range(int(seconds * bpm / 60)):
        n = seq[i % len(seq)]
        ev += [mido.Message("note_on", note=n, velocity=90, time=0),
               mido.Message("note_off", note=n, velocity=0, time=470),
               mido.Message("note_on", note=n, velocity=0, time=10)]
    return _midi(ev, bpm)


def drum_groove(seconds: float = 12.0, bpm: int = 120) -> mido.MidiFile:
    """Hi-hat eighths, kick on 1 and 3, snare on 2 and 4 (channel 10)."""
    ev = []
    for i in range(int(seconds * bpm / 60) * 2):
        notes = [42] + ([36] if i % 4 == 0 else []) + ([38] if i % 4 == 2 else [])
        ev += [mido.Message("note_on", channel=9, note=n, velocity=100, time=0) for n in notes]
        ev.append(mido.Message("note_off", channel=9, note=42, velocity=0, time=240))
    return _midi(ev, bpm)


@pytest.fixture(scope="module")
def plugin():
    from workbench_plugins.tagging import plugin as p

    return p


def _top(plugin, job, mid, k=3, **params) -> list[str]:
    tags = plugin.process(AudioBuffer(render(mid), 44100), params, job())[0]
    assert isinstance(tags, Tags)
    return [name for name, _ in tags.top(k)]


def test_drums_get_drum_tags(plugin, job):
    top = _top(plugin, job, drum_groove())
    assert "drums" in top and ({"beat", "beats"} & set(top)), top


@pytest.mark.parametrize("program,instrument", [(40, "violin"), (73, "flute")])
def test_instrument_in_top3(plugin, job, program, instrument):
    top = _top(plugin, job, melody(program))
    assert instrument in top, top


def test_segments_over_time(plugin, job):
    x = np.concatenate([render(drum_groove(6.0)), render(melody(40, 6.0))], axis=1)
    tags = plugin.process(AudioBuffer(x, 44100), {"hop_s": 1.5}, job())[0]
    assert tags.frame_scores.shape == (len(tags.frame_times), 50)
    assert np.allclose(np.diff(tags.frame_times), 1.5, atol=0.02)
    drums, violin = tags.labels.index("drums"), tags.labels.index("violin")
    early, late = tags.frame_times + 3.0 <= 6.0, tags.frame_times >= 6.5
    assert tags.frame_scores[early, drums].mean() > tags.frame_scores[late, drums].mean() + 0.2
    assert tags.frame_scores[late, violin].mean() > tags.frame_scores[early, violin].mean() + 0.3


def test_converted_model_matches_tensorflow_reference(plugin, job):
    """Outputs of the ORIGINAL TF graph (scripts/convert_musicnn.py reference) on stored log-mel patches."""
    ref = np.load(RESOURCES / "musicnn_mtt_reference.npz")
    net = plugin.load_model(job())
    with torch.no_grad():
        out = net(torch.from_numpy(ref["inputs"]).to(next(net.parameters()).device)).cpu().numpy()
    assert out.shape == ref["outputs"].shape == (3, 50)
    np.testing.assert_allclose(out, ref["outputs"], atol=1e-4)


def test_checkpoint_reader_against_converted_file():
    """The no-TensorFlow bundle reader gives the same tensors as the shipped file (musicnn is in requirements-nodeps.txt)."""
    import importlib.util

    from safetensors.numpy import load_file

    from workbench_plugins.tagging.musicnn import tf_to_torch
    from workbench_plugins.tagging.tf_checkpoint import read_checkpoint

    spec = importlib.util.find_spec("musicnn")
    assert spec is not None, "install the source checkpoint: pip install --no-deps musicnn==0.1.0"
    ck = read_checkpoint(str(Path(list(spec.submodule_search_locations)[0]) / "MTT_musicnn") + "/")
    assert ck["conv2d/kernel"].shape == (7, 38, 1, 204) and ck["dense_1/kernel"].shape == (200, 50)
    shipped = load_file(str(RESOURCES / "musicnn_mtt.safetensors"))
    converted = tf_to_torch(ck)
    assert set(shipped) == set(converted)
    for k in shipped:
        np.testing.assert_array_equal(shipped[k], converted[k])
