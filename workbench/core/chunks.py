"""Splitting long signals into overlapping chunks so memory stays bounded, and joining results back."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator

import numpy as np


@dataclass(frozen=True)
class AudioChunk:
    """A window of a signal. ``start``/``end`` are sample indices into the whole signal;
    ``keep_start``/``keep_end`` mark the part this chunk is responsible for (overlaps split in the middle)."""

    samples: np.ndarray
    sample_rate: int
    start: int
    end: int
    keep_start: int
    keep_end: int
    index: int
    count: int

    @property
    def t0(self) -> float:
        """Start time of the chunk in seconds."""
        return self.start / self.sample_rate


def iter_chunks(samples: np.ndarray, sample_rate: int, seconds: float, overlap: float) -> Iterator[AudioChunk]:
    """Chunks of ``seconds`` s sharing ``overlap`` s with their neighbours (views, no copies).

    Works on 1-D (samples,) or 2-D (channels, samples) arrays; the last axis is time.
    """
    n = samples.shape[-1]
    size = max(1, int(round(seconds * sample_rate)))
    ov = min(size - 1, max(0, int(round(overlap * sample_rate))))
    hop = size - ov
    count = 1 if n <= size else 1 + math.ceil((n - size) / hop)
    for i in range(count):
        start = i * hop
        end = min(n, start + size)
        keep_start = 0 if i == 0 else start + ov // 2
        keep_end = n if i == count - 1 else start + hop + ov // 2
        yield AudioChunk(samples[..., start:end], sample_rate, start, end, keep_start, keep_end, i, count)


def keep_frames(times: np.ndarray, chunk: AudioChunk) -> np.ndarray:
    """Boolean mask of frame times (seconds, whole-signal clock) that belong to ``chunk``'s kept part."""
    a, b = chunk.keep_start / chunk.sample_rate, chunk.keep_end / chunk.sample_rate
    return (times >= a) & (times < b)


def fade_ramp(k: int) -> np.ndarray:
    """The rising half of the one linear cross-fade (``1 - ramp`` falls): ramp + its mirror sum to one."""
    return (np.arange(k, dtype=np.float32) + 0.5) / k


def crossfade(tail: np.ndarray, head: np.ndarray) -> np.ndarray:
    """``tail`` fading out while ``head`` fades in over their common (last-axis) length: for streamed blocks."""
    ramp = fade_ramp(head.shape[-1])
    return tail * ramp[::-1] + head * ramp


def crossfade_add(out: np.ndarray, y: np.ndarray, chunk: AudioChunk, overlap: int) -> None:
    """Overlap-add ``y`` (a chunk's output, time on the last axis, starting at ``chunk.start``) into ``out``.

    Linear ramps over the ``overlap`` samples shared with the previous and the next chunk sum to one across each
    overlap, so a signal that every chunk reproduces exactly comes back unchanged. The one cross-fade used by the
    chunked separators.
    """
    n = min(y.shape[-1], out.shape[-1] - chunk.start)
    w = np.ones(n, dtype=np.float32)
    k = min(int(overlap), n)
    if k:
        ramp = fade_ramp(k)
        if chunk.index > 0:
            w[:k] = ramp
        if chunk.index < chunk.count - 1:
            w[n - k:] = ramp[::-1]
    out[..., chunk.start:chunk.start + n] += y[..., :n] * w
