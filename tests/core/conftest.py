"""Shared fixtures for the export and session tests: one layer of every type, made in memory."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.layers import (Curve, Events, Layer, Match, Matches, Matrix, Notes, Segments, Tags, Tracks,
                                   Words)

SR = 16000


def _tone(freq: float, seconds: float, channels: int = 1) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    x = 0.3 * np.sin(2 * np.pi * freq * t)
    return np.stack([x * (1.0 - 0.3 * c) for c in range(channels)]).astype(np.float32)


@pytest.fixture
def sample_audio() -> AudioBuffer:
    """2.5 s of a 220 Hz tone, stereo, with no file behind it."""
    return AudioBuffer(_tone(220.0, 2.5, channels=2), SR, name="tone")


@pytest.fixture
def sample_layers() -> dict[str, Layer]:
    """kind -> a small layer of that kind with awkward values (fractional pitch, commas, unicode, unvoiced)."""
    times = np.round(np.arange(0, 2.0, 0.01), 2)
    voiced = (times > 0.3) & (times < 1.7)
    f0 = np.where(voiced, 220.0 * 2 ** (times / 12), 0.0)
    rng = np.random.default_rng(0)
    frames = np.arange(0, 2.0, 0.5)
    return {
        "curve": Curve(name="f0", source="pitch", times=times, values=f0, unit="Hz",
                       confidence=np.where(voiced, 0.9, 0.1), voiced=voiced, metadata={"model": "fcpe"}),
        "notes": Notes(name="notes", source="notes", onsets=[0.1, 0.5004, 1.25, 1.25],
                       offsets=[0.45, 1.2, 1.9, 2.3333], pitches=[60.0, 64.4, 67.0, 47.6],
                       velocities=[90, 64, 127, 30]),
        "events": Events(name="vad", source="vad", starts=[0.1, 0.9], ends=[0.6, 1.8],
                         labels=["speech", "music, loud"], confidences=[0.8, 0.55]),
        "segments": Segments(name="transcript", source="asr", starts=[0.0, 1.05], ends=[1.0, 2.2],
                             texts=[" Hello, world & <friends>.", "Ça va? 日本"], confidences=[0.9, 0.7]),
        "words": Words(name="words", source="asr", starts=[0.0, 0.5, 1.05], ends=[0.45, 1.0, 1.4],
                       texts=["Hello,", "world", "again"], confidences=[0.95, 0.8, 0.6]),
        "tags": Tags(name="tags", source="tagger", labels=["Speech", "Music", "Dog"], scores=[0.2, 0.91, 0.05],
                     frame_times=frames, frame_scores=rng.random((len(frames), 3)), frame_duration=0.5),
        "matrix": Matrix(name="salience", source="pitch", times=times[:20], bins=[55.0, 110.0, 220.0, 440.0],
                         values=rng.random((20, 4)), bin_unit="Hz", value_unit="salience"),
        "tracks": Tracks(name="stems", source="separation", offset=0.25,
                         tracks={"vocals": AudioBuffer(_tone(440.0, 1.0, 2), SR, name="vocals"),
                                 "drums": AudioBuffer(_tone(110.0, 0.75, 1), SR, name="drums")}),
        "matches": Matches(name="covers", source="search", matches=[
            Match(item="lib/a.wav", score=0.83, title="Song A", transposition=-2, tempo_ratio=1.07,
                  alignment=[(0.0, 0.0), (1.0, 1.1)]),
            Match(item="lib/b.wav", score=0.41, title="B, live")]),
    }


def _plain(value):
    if isinstance(value, AudioBuffer):
        return ("audio", value.sample_rate, value.samples.tolist())
    if isinstance(value, np.ndarray):
        return _plain(value.tolist())
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@pytest.fixture
def layer_fields():
    """Function: a layer's fields as plain Python values (id and view state left out), for comparisons."""

    def fields(layer: Layer, keep_id: bool = False) -> dict:
        d = layer.to_dict()
        if isinstance(layer, Tracks):
            d["tracks"] = dict(layer.tracks)
        if not keep_id:
            d.pop("id")
        d["metadata"] = {k: v for k, v in d["metadata"].items() if k not in ("display", "jams_namespace")}
        return _plain(d)

    return fields
