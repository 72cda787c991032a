"""|FFT|**2 of frames on the CPU, one cache-sized block at a time, in numpy: no torch import needed.

The spectrogram view draws a file opened at start-up with this while torch is still loading (importing torch
takes 1.5-2 s here). The FFT is numpy's until then, and torch's once stft.py has been imported (it registers
torch's, about 7x faster on float32 here): both give the same spectra to float rounding. The whole-signal STFT
and mel of stft.py run this same loop.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable

import numpy as np

from ..errors import InvalidParameterError
from ..heap import MMAP_THRESHOLD
from .settings import SpectrogramSettings

BLOCK_BYTES = 1 << 20  # frames per block: about this many bytes of frames (see power_into)
_rfft: Callable[[np.ndarray], np.ndarray] | None = None  # rows' rfft (float32 in, complex64 out), or numpy's


def use_rfft(rfft: Callable[[np.ndarray], np.ndarray]) -> None:
    """Use ``rfft`` (a (rows, n) float32 array -> its (rows, n // 2 + 1) complex64 rfft) from now on."""
    global _rfft
    _rfft = rfft


@lru_cache(maxsize=32)
def window(name: str, n_fft: int) -> np.ndarray:
    """Periodic analysis window: scipy.signal.get_window(name, n_fft, fftbins=True) as float32. Hann (the
    default) by its formula, which gives the same float32 values: scipy.signal takes ~1 s to import at start."""
    if name in ("hann", "hanning"):
        return (0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n_fft) / n_fft)).astype(np.float32)
    from scipy.signal import get_window

    try:
        return get_window(name, n_fft, fftbins=True).astype(np.float32)
    except ValueError as exc:
        raise InvalidParameterError(f"unknown window {name!r}: {exc}") from None


def frames_view(x: np.ndarray, n: int, step: int) -> np.ndarray:
    """(frames, n) read-only strided view of the frames x[k*step : k*step + n] of a float32 array."""
    count = 1 + (len(x) - n) // step
    return np.lib.stride_tricks.as_strided(x, (count, n), (step * 4, 4), writeable=False)


def padded_frames(y: np.ndarray, settings: SpectrogramSettings) -> np.ndarray:
    """(frames, n_fft) strided view of ``y`` zero-padded by n_fft // 2 on both sides (centred frames)."""
    n = settings.n_fft
    padded = np.zeros(len(y) + 2 * (n // 2), dtype=np.float32)
    padded[n // 2:n // 2 + len(y)] = y
    return frames_view(padded, n, settings.hop)


def power_into(frames: np.ndarray, settings: SpectrogramSettings, out: np.ndarray,
               project: Callable[[np.ndarray, np.ndarray], None] | None = None) -> None:
    """|FFT|**2 of ``frames`` into ``out`` (frames, n_fft // 2 + 1), or ``project(power, out_rows)`` of each
    block's power into ``out`` (e.g. the mel filterbank). One cache-sized block at a time: a block's frames,
    spectra and powers (about 3 MB at n_fft 2048) stay in the caches, where one pass over the whole (bins,
    frames) matrix per step would stream it through memory."""
    n = settings.n_fft
    win = window(settings.window, n)
    # A block's spectra (8 bytes a bin) stay under the mmap threshold (heap.py): bigger ones would be fresh
    # mmaps, paged in and unmapped again on every block, which made tiles 2-3x slower.
    block = max(8, min(BLOCK_BYTES // (4 * n), MMAP_THRESHOLD * 7 // 8 // (8 * (n // 2 + 1))))
    buf = np.empty((min(block, len(frames)), n), dtype=np.float32)
    mag = np.empty((len(buf), n // 2 + 1), dtype=np.float32)
    rfft = _rfft
    for a in range(0, len(frames), block):
        m = min(block, len(frames) - a)
        np.multiply(frames[a:a + m], win, out=buf[:m])
        spec = rfft(buf[:m]) if rfft is not None else np.fft.rfft(buf[:m], axis=-1)
        np.abs(spec, out=mag[:m])  # numpy's complex abs is one fast pass
        if project is None:
            np.square(mag[:m], out=out[a:a + m])
        else:
            np.square(mag[:m], out=mag[:m])
            project(mag[:m], out[a:a + m])


def strided_power(segment: np.ndarray, step: int, settings: SpectrogramSettings,
                  project: Callable[[np.ndarray, np.ndarray], None] | None = None,
                  rows: int | None = None) -> np.ndarray:
    """power_into for the frames segment[k*step : k*step + n_fft] of a float32 segment, on the calling thread.
    Returns (rows, frames): a transposed view of frame-major memory (``rows``: the projection's, or the bins)."""
    frames = frames_view(segment, settings.n_fft, step)
    out = np.empty((len(frames), rows if rows is not None else settings.n_fft // 2 + 1), np.float32)
    power_into(frames, settings, out, project)
    return out.T
