"""Chords plugin: one Segments layer of Harte chord labels whose boundaries lie on the beats (``beats`` plugin).

Before the first and after the last tracked beat the beat grid is extended at the same spacing, so the lead-in
and the ending get chord (or ``N``) segments of their own. ``metadata["jams_namespace"] = "chord"``.
"""

from __future__ import annotations

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.features.chroma import SAMPLE_RATE, beat_sync
from workbench.core.layers import Segments
from workbench.core.plugin_api import JobContext
from workbench_plugins.beats.plugin import analyse

from .decoder import decode, merge, vocabulary

MODEL = "chord templates + HMM on tuned treble/bass chroma (NNLS-like partial suppression)"


def beat_edges(beats: np.ndarray, duration: float) -> np.ndarray:
    """Beat times extended at the edge spacing down to 0 and up to ``duration`` (s), with 0 and duration."""
    ibi = float(np.median(np.diff(beats)))
    head = beats[0] - ibi * np.arange(int(beats[0] / ibi), 0, -1)
    tail = beats[-1] + ibi * np.arange(1, int((duration - beats[-1]) / ibi) + 1)
    inner = np.concatenate([head, beats, tail])
    inner = inner[(inner > 0.05) & (inner < duration - 0.05)]
    return np.concatenate([[0.0], inner, [duration]])


def chords_on_beats(y, cf, grid, self_prob: float):
    """(beat edges s, chord label per beat span, confidence per span) of analysed audio."""
    edges = beat_edges(grid.beats, len(y) / SAMPLE_RATE)
    treble = beat_sync(cf.treble, cf.times, edges, "mean")
    bass = beat_sync(cf.bass, cf.times, edges, "mean")
    rms = beat_sync(cf.energy[:, None], cf.times, edges, "median")[:, 0]  # median: a silent lead-in stays silent
    energy_db = 20 * np.log10(np.maximum(rms, 1e-9) / max(float(rms.max()), 1e-9))
    labels, conf = decode(treble, bass, energy_db, self_prob)
    return edges, labels, conf


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Segments]:
    y, cf, grid = analyse(audio, ctx, "chords", float(params["start_bpm"]), (0.0, 0.9))
    ctx.progress(0.95, "chords: decoding")
    edges, labels, conf = chords_on_beats(y, cf, grid, float(params["self_prob"]))
    starts, ends, texts, confidences = merge(edges, labels, conf)
    meta = {"plugin": "chords", "model": MODEL, "params": dict(params), "vocabulary": "majmin+7",
            "labels": vocabulary(), "bpm": round(grid.bpm, 2), "tuning_semitones": round(cf.tuning, 3),
            "jams_namespace": "chord"}
    ctx.progress(1.0, f"chords: {len(texts)} segments")
    return [Segments(name="chords", starts=starts, ends=ends, texts=texts, confidences=confidences, metadata=meta)]
