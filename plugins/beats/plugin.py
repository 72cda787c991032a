"""Beats plugin: beat Events (label = position in the bar, "1" = downbeat), a tempo Curve (BPM), a click track.

Layers carry their JAMS namespace in ``metadata["jams_namespace"]`` (``beat``, ``tempo``) so the JAMS export
writes them as such. :func:`analyse` is also what the chords plugin aligns its chords with.
"""

from __future__ import annotations

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.errors import WorkbenchError
from workbench.core.features.chroma import SAMPLE_RATE, ChromaFrames, beat_sync, chroma_frames
from workbench.core.layers import Curve, Events, Tracks
from workbench.core.plugin_api import JobContext
from workbench.core.resample import resample_array

from .tracking import BeatGrid, beat_grid, click_track, tempo_curve

MIN_SECONDS = 3.0
SILENCE_RMS = 1e-4  # below this (about -80 dBFS) the audio counts as silent
MODEL = "librosa dynamic-programming beat tracker; downbeats from low-band onsets + chroma change"


def music_samples(audio: AudioBuffer, what: str) -> np.ndarray:
    """Mono float32 at 22.05 kHz, or a one-line WorkbenchError for audio that cannot be described."""
    if audio.duration < MIN_SECONDS:
        raise WorkbenchError(f"{what}: the audio is too short ({audio.duration:.1f} s; at least {MIN_SECONDS:g} s)")
    y = audio.mono_samples
    if not np.all(np.isfinite(y)):
        raise WorkbenchError(f"{what}: the audio contains invalid samples (NaN or infinity)")
    if float(np.sqrt(np.mean(np.square(y, dtype=np.float64)))) < SILENCE_RMS:
        raise WorkbenchError(f"{what}: the audio is silent")
    return resample_array(y[None], audio.sample_rate, SAMPLE_RATE)[0]


def analyse(audio: AudioBuffer, ctx: JobContext, what: str, start_bpm: float = 120.0,
            span: tuple[float, float] = (0.0, 1.0)) -> tuple[np.ndarray, ChromaFrames, BeatGrid]:
    """(samples at 22.05 kHz, chroma frames, beat grid), reporting progress within ``span``."""
    lo, hi = span
    ctx.progress(lo, f"{what}: reading")
    y = music_samples(audio, what)
    ctx.progress(lo + 0.1 * (hi - lo), f"{what}: chroma")
    cf = chroma_frames(y, SAMPLE_RATE, "cpu")
    ctx.progress(lo + 0.7 * (hi - lo), f"{what}: beats")
    grid = beat_grid(y, SAMPLE_RATE, lambda edges: beat_sync(cf.treble + cf.bass, cf.times, edges), start_bpm)
    if len(grid.beats) < 4:
        raise WorkbenchError(f"{what}: no steady beat found in the audio")
    ctx.progress(hi, f"{what}: beats found")
    return y, cf, grid


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list:
    _, _, grid = analyse(audio, ctx, "beats", float(params["start_bpm"]), (0.0, 0.9))
    meter = f"{grid.meter}/4" if grid.meter else ""
    meta = {"plugin": "beats", "model": MODEL, "params": dict(params), "bpm": round(grid.bpm, 2),
            "meter": meter, "beats_per_bar": grid.meter, "downbeats": grid.downbeats.tolist(),
            "jams_namespace": "beat"}
    beats = Events(name="beats", starts=grid.beats, ends=grid.beats, labels=[str(int(p)) for p in grid.positions],
                   confidences=np.full(len(grid.beats), grid.confidence), metadata=meta)
    t, bpm = tempo_curve(grid.beats)
    tempo = Curve(name="tempo", times=t, values=bpm, unit="BPM", confidence=np.full(len(t), grid.confidence),
                  metadata={"plugin": "beats", "model": MODEL, "params": dict(params), "bpm": round(grid.bpm, 2),
                            "jams_namespace": "tempo"})
    layers = [beats, tempo]
    if params.get("click_track"):
        mono = audio.mono_samples
        clicks = click_track(grid.beats, grid.positions, audio.sample_rate, len(mono))
        peak = max(float(np.max(np.abs(mono))), 1e-6)
        mixed = (0.8 * mono / peak + 0.5 * clicks).astype(np.float32)
        mixed /= max(1.0, float(np.max(np.abs(mixed))))
        layers.append(Tracks(name="click track", tracks={"with clicks": AudioBuffer(mixed[None], audio.sample_rate,
                                                                                    name="with clicks")},
                             metadata={"plugin": "beats", "params": dict(params)}))
    ctx.progress(1.0, f"beats: {grid.bpm:.1f} BPM {meter}")
    return layers
