"""The notes plugin (Basic Pitch on onnxruntime) on a fluidsynth piano rendering of a MIDI file written here,
its note extraction on hand-made activations, cancellation and a missing model."""

from __future__ import annotations

import tempfile
import threading
import time

import mir_eval
import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.errors import ModelUnavailableError
from workbench.core.jobs import JobRunner, JobState
from workbench.core.layers import Matrix, Notes
from workbench.core.models import ModelSpec, ModelStore
from workbench.core.params import resolve_params
from workbench.core.plugin_api import JobContext
from workbench_plugins.notes import plugin
from workbench_plugins.notes.basic_pitch_onnx import FRAME_RATE
from workbench_plugins.notes.manifest import MANIFEST
from workbench_plugins.notes.note_extraction import extract_notes

from . import synth


def params(**given) -> dict:
    return resolve_params(MANIFEST.params, given)


def piano_piece() -> list[synth.Note]:
    """~11 s of melody over the middle of the keyboard with octaves and fifths below some notes."""
    rng = np.random.default_rng(7)
    notes, t = [], 0.3
    for i in range(20):
        pitch = int(rng.integers(57, 81))
        length = float(rng.choice([0.25, 0.5, 0.75]))
        notes.append(synth.Note(t, t + length, pitch, int(rng.integers(60, 110))))
        if i % 4 == 0:
            notes.append(synth.Note(t, t + length, pitch - 12, 80))
        if i % 6 == 0:
            notes.append(synth.Note(t, t + 2 * length, pitch - 5, 70))
        t += length
    return notes


@pytest.fixture(scope="module")
def piano():
    notes = piano_piece()
    samples, sr = synth.render_notes(notes, synth.PIANO, sr=22050)
    return AudioBuffer(samples, sr), notes


def onset_f1(reference: list[synth.Note], layer: Notes) -> float:
    ref_iv = np.array([[n.onset, n.offset] for n in reference])
    ref_hz = 440.0 * 2 ** ((np.array([n.pitch for n in reference]) - 69) / 12)
    est_iv = np.stack([layer.onsets, layer.offsets], axis=1)
    est_hz = 440.0 * 2 ** ((layer.pitches - 69) / 12)
    _, _, f1, _ = mir_eval.transcription.precision_recall_f1_overlap(
        ref_iv, ref_hz, est_iv, est_hz, onset_tolerance=0.05, offset_ratio=None)
    return f1


def test_piano_rendering_onset_f1(ctx, piano):
    audio, notes = piano
    layers = plugin.process(audio, params(), ctx)
    assert len(layers) == 1
    (found,) = layers
    assert isinstance(found, Notes) and len(found) > 0
    assert onset_f1(notes, found) >= 0.7
    assert np.all(found.offsets > found.onsets) and found.offsets.max() <= audio.duration + 0.05
    assert np.all((found.velocities >= 1) & (found.velocities <= 127))
    assert set(found.pitches) <= set(range(21, 109))
    assert ctx.reports[-1][0] == 1.0 and any("transcribing" in t for _, t in ctx.reports)


def test_salience_matrix_and_pitch_range(ctx, piano):
    audio, notes = piano
    clip = audio.slice(0.0, 4.0)
    notes_layer, salience = plugin.process(clip, params(salience=True, fmax=400.0), ctx)
    assert isinstance(salience, Matrix) and salience.values.shape == (len(salience.times), 264)
    np.testing.assert_allclose(np.diff(salience.times), 1 / FRAME_RATE)
    assert salience.bins[0] == pytest.approx(27.5) and salience.values.max() <= 1.0
    assert abs(salience.times[-1] - 4.0) < 0.02
    # fmax = 400 Hz: nothing above G4 (MIDI 67, 392 Hz) is kept.
    assert len(notes_layer) > 0 and notes_layer.pitches.max() <= 67


def test_note_extraction_on_made_up_activations():
    frames = np.zeros((200, 88), np.float32)
    onsets = np.zeros((200, 88), np.float32)
    frames[20:80, 60 - 21] = 0.8  # C4 from frame 20 to 80 with an onset
    onsets[20, 60 - 21] = 0.9
    frames[100:130, 64 - 21] = np.linspace(0.31, 0.6, 30)  # E4 swelling, no onset: found by the melodia pass
    frames[150:152, 67 - 21] = 0.9  # G4 too short for 5 frames: dropped
    onsets[150, 67 - 21] = 0.9
    ev = extract_notes(frames, onsets, onset_threshold=0.5, frame_threshold=0.3, min_frames=5)
    assert ev.pitches.tolist() == [60, 64]
    assert ev.starts.tolist() == [20, 100] and ev.ends.tolist()[0] == 80 and abs(ev.ends[1] - 130) <= 1
    assert ev.amplitudes[0] == pytest.approx(0.8) and 0.4 < ev.amplitudes[1] < 0.5
    no_melodia = extract_notes(frames, onsets, 0.5, 0.3, 5, melodia_trick=False)
    assert no_melodia.pitches.tolist() == [60]
    restricted = extract_notes(frames, onsets, 0.5, 0.3, 5, fmin=300.0)  # drops C4 (262 Hz)
    assert restricted.pitches.tolist() == [64]


def test_cancelled_transcription_stops_within_a_second(store, device):
    sr = 22050
    tone = synth.harmonic_tone(np.full(sr, 261.6), sr)
    audio = AudioBuffer(np.tile(tone, 90), sr)  # 90 s
    runner = JobRunner(max_workers=1, device=device, models=store)
    try:
        plugin.load_model(JobContext(device=device, models=store))
        busy = threading.Event()
        job = runner.submit_plugin(MANIFEST, audio, {})
        job.on_progress(lambda j: busy.set() if j.text == "transcribing" else None)
        assert busy.wait(60)
        t0 = time.monotonic()
        job.cancel()
        assert job.wait(10)
        assert job.state is JobState.CANCELLED
        assert time.monotonic() - t0 < 1.0
        assert job.fraction < 0.5
    finally:
        runner.shutdown()


def test_missing_model_is_a_clear_error(device):
    spec = ModelSpec(id="basic-pitch", task="notes", name="Basic Pitch", licence="Apache-2.0", files=("nmp.onnx",),
                     package="no_such_package_here", pip_name="basic-pitch==0.4.0 --no-deps")
    with tempfile.TemporaryDirectory() as empty_cache:
        ctx = JobContext(device=device, models=ModelStore([spec], cache_dir=empty_cache))
        with pytest.raises(ModelUnavailableError, match=r"basic-pitch.*pip install basic-pitch"):
            plugin.process(AudioBuffer(np.zeros(22050, np.float32), 22050), params(), ctx)
