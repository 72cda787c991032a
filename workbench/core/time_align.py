"""Putting a matched recording (e.g. a cover found by cover search) on the query's clock for A/B listening."""

from __future__ import annotations

import numpy as np

from .audio import AudioBuffer
from .errors import WorkbenchError


def linear_time_map(alignment: list[tuple[float, float]]) -> tuple[float, float]:
    """Least-squares fit ``item_s = rate * query_s + shift_s`` of an alignment path of (query s, item s) pairs."""
    path = np.asarray(alignment, dtype=np.float64).reshape(-1, 2)
    if len(path) < 2 or np.ptp(path[:, 0]) <= 0:
        raise WorkbenchError("The match has no usable alignment path to line it up with the query")
    rate, shift = np.polyfit(path[:, 0], path[:, 1], 1)
    if not 0.25 <= rate <= 4.0:
        raise WorkbenchError(f"The alignment implies a tempo ratio of {rate:.2f}; too far off to line up")
    return float(rate), float(shift)


def align_to_query(item: AudioBuffer, alignment: list[tuple[float, float]], sample_rate: int,
                   channels: int = 1) -> tuple[AudioBuffer, float]:
    """The item time-stretched (phase vocoder, pitch kept) so its tempo follows the query, resampled to
    ``sample_rate`` with ``channels`` channels. Returns (audio, offset_s): place the audio at ``offset_s`` seconds of
    the query's timeline; the part of the item before the query's start is dropped."""
    import librosa

    rate, shift = linear_time_map(alignment)
    mono = item.mono(sample_rate).samples[0]
    stretched = librosa.effects.time_stretch(mono, rate=rate).astype(np.float32)
    offset = -shift / rate  # query time at which the item's start plays
    if offset < 0:
        stretched = stretched[int(round(-offset * sample_rate)):]
        offset = 0.0
    samples = np.repeat(stretched[np.newaxis, :], max(1, channels), axis=0)
    name = f"{item.name or 'match'} (aligned)"
    return AudioBuffer.adopt(samples, sample_rate, name=name), offset
