"""Notes plugin: polyphonic transcription with Basic Pitch (onnxruntime) -> a Notes layer (+ salience Matrix).

Times are seconds on the input's clock; pitches are MIDI numbers; velocity is the note's mean frame
activation scaled to 1..127 (as basic-pitch writes its MIDI files).
"""

from __future__ import annotations

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Layer, Matrix, Notes
from workbench.core.plugin_api import JobContext

from .basic_pitch_onnx import FRAME_RATE, SAMPLE_RATE, BasicPitchModel, contour_frequencies
from .note_extraction import extract_notes

MODEL_ID = "basic-pitch"


def load_model(ctx: JobContext) -> BasicPitchModel:
    """The onnxruntime session, made once per device through the model store (clear error when missing)."""
    from workbench.core.models import default_store

    store = ctx.models or default_store()
    device = str(ctx.device or "cpu")
    return store.cached_load(MODEL_ID, device, lambda path: BasicPitchModel(path, device))


def min_note_frames(min_note_ms: float) -> int:
    """A note must last more than this many frames (basic-pitch's rounding of the millisecond length)."""
    return int(np.round(min_note_ms / 1000.0 * FRAME_RATE))


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Notes of ``audio`` (mono mixdown) and, when ``params['salience']``, the pitch salience over time."""
    if params["fmin"] >= params["fmax"]:
        raise InvalidParameterError(f"fmin ({params['fmin']:g} Hz) must be below fmax ({params['fmax']:g} Hz)")
    ctx.progress(0.0, "loading Basic Pitch")
    model = load_model(ctx)
    ctx.ran_on(model.device)
    ctx.progress(0.02, "resampling")
    samples = audio.mono(SAMPLE_RATE).samples[0]
    acts = model.activations(
        samples, with_contour=bool(params["salience"]),
        on_progress=lambda f: ctx.progress(0.05 + 0.85 * f, "transcribing"),
    )
    ctx.progress(0.9, "finding notes")
    events = extract_notes(
        acts.note, acts.onset, params["onset_threshold"], params["frame_threshold"],
        min_note_frames(params["min_note_ms"]), fmin=params["fmin"], fmax=params["fmax"],
        check=ctx.check_cancelled,
    )
    velocities = np.clip(np.round(127 * events.amplitudes), 1, 127)
    layers: list[Layer] = [Notes(
        name="notes", onsets=events.starts / FRAME_RATE, offsets=events.ends / FRAME_RATE,
        pitches=events.pitches.astype(float), velocities=velocities,
        metadata={"model": MODEL_ID, "onset_threshold": params["onset_threshold"],
                  "frame_threshold": params["frame_threshold"], "min_note_ms": params["min_note_ms"],
                  "providers": list(model.providers)},
    )]
    if acts.contour is not None:
        layers.append(Matrix(name="pitch salience", times=acts.times, bins=contour_frequencies(),
                             values=acts.contour, bin_unit="Hz", value_unit="salience 0..1",
                             metadata={"model": MODEL_ID}))
    ctx.progress(1.0, "notes done")
    return layers
