"""Whole-signal spectrograms (compute_spectrogram) and column-wise analysis at arbitrary frame centres,
the building block of the view's tiles. Both give the same numbers for the same frame centres."""

from __future__ import annotations

from typing import Callable

import numpy as np
import torch

from ..errors import InvalidParameterError, JobCancelled
from ..heap import MMAP_THRESHOLD
from .cqt import cqt_magnitude, cqt_plan, padded_slice
from .frequencies import row_frequencies
from .settings import DB_FLOOR, SpectrogramImage, SpectrogramSettings
from .stft import frames_power, mel_power, mel_projector, segment_power, stft_power, strided_power


def power_to_db(p: torch.Tensor, inplace: bool = False) -> torch.Tensor:
    """10*log10(max(p, 1e-10)): librosa.power_to_db(p, ref=1.0, top_db=None). ``inplace``: overwrite ``p``."""
    if inplace:
        return p.clamp_(min=1e-10).log10_().mul_(10.0)
    return 10.0 * torch.log10(torch.clamp(p, min=1e-10))


def amplitude_to_db(a: torch.Tensor, inplace: bool = False) -> torch.Tensor:
    """20*log10(max(a, 1e-5)): librosa.amplitude_to_db(a, ref=1.0, top_db=None). ``inplace``: overwrite ``a``."""
    if inplace:
        return a.clamp_(min=1e-5).log10_().mul_(20.0)
    return 20.0 * torch.log10(torch.clamp(a, min=1e-5))


def _mono(samples) -> np.ndarray:
    y = np.asarray(samples, dtype=np.float32)
    if y.ndim == 2:
        y = y.mean(axis=0) if y.shape[0] > 1 else y[0]
    if y.ndim != 1:
        raise InvalidParameterError(f"expected (samples,) or (channels, samples) audio, got shape {y.shape}")
    return y


def compute_spectrogram(samples: np.ndarray, sr: int, settings: SpectrogramSettings,
                        device: str = "cpu") -> SpectrogramImage:
    """Spectrogram of the whole signal (mono mix of (channels, samples) input) at settings.hop.

    Column k is centred on sample k*hop (time k*hop/sr s); 1 + len//hop columns. dB with a fixed reference
    (see SpectrogramImage). Runs in torch on ``device``.
    """
    y = _mono(samples)
    freqs = row_frequencies(sr, settings)
    if settings.kind == "stft":
        db = power_to_db(stft_power(y, sr, settings, device))
    elif settings.kind == "mel":
        db = power_to_db(mel_power(y, sr, settings, device))
    else:
        db = amplitude_to_db(cqt_magnitude(y, sr, settings, device))
    db = db.float().cpu().numpy()
    times = np.arange(db.shape[1]) * settings.hop / sr
    return SpectrogramImage(settings.kind, times, freqs, db, 0.0, len(y) / sr)


class ColumnAnalyser:
    """dB columns centred on arbitrary full-rate sample positions of a signal given by a reader.

    ``read(a, b)`` -> float32 samples a..b-1 with zeros outside the signal; ``gather(starts, n)`` -> (cols, n)
    frames starting at ``starts`` (zeros outside). Thread-safe (holds only read-only tensors).
    """

    def __init__(self, sr: int, settings: SpectrogramSettings, device: str = "cpu"):
        self.sr, self.settings, self.device = int(sr), settings, device
        self.freqs = row_frequencies(sr, settings)
        self.n_rows = len(self.freqs)
        self._mel = mel_projector(sr, settings, device) if settings.kind == "mel" else None
        self._cqt = cqt_plan(sr, settings, device) if settings.kind == "cqt" else None

    @property
    def frame_step(self) -> int:
        """Largest frame spacing (samples) that still looks at every sample: settings.hop, at most half the
        STFT frame, or half the CQT's shortest filter."""
        limit = self._cqt.shortest_filter / 2 if self._cqt is not None else self.settings.n_fft / 2
        return int(max(1, min(self.settings.hop, limit)))

    @property
    def margin(self) -> int:
        """Samples either side of a column centre that the column depends on."""
        return self._cqt.margin if self._cqt is not None else self.settings.n_fft // 2

    def columns(self, read: Callable[[int, int], np.ndarray],
                gather: Callable[[np.ndarray, int], np.ndarray], centres: np.ndarray,
                cancelled: Callable[[], bool] = lambda: False, pool: int = 1) -> np.ndarray:
        """(rows, len(centres) // pool) float32 dB. ``pool`` > 1: each output column is the maximum over
        ``pool`` consecutive centres (taken before the dB conversion, which is monotonic: same result, less
        work); the centres are then processed in blocks so memory stays small."""
        centres = np.asarray(centres, dtype=np.int64)
        pool = max(1, int(pool))
        if len(centres) % pool:
            raise InvalidParameterError(f"{len(centres)} centres do not split into groups of {pool}")
        block = max(pool, (min(1024, self._part_frames()) // pool) * pool)
        parts = []
        for a in range(0, len(centres), block):
            if cancelled():
                raise JobCancelled()
            if self._cqt is not None:  # pools per octave itself (its long low filters need fewer frames)
                x = self._cqt.magnitude(read, centres[a:a + block], cancelled, pool=pool)
            else:
                x = self._linear(read, gather, centres[a:a + block], cancelled)
                if pool > 1:
                    x = _pool_max(x, pool)
            parts.append(x)
        if not parts:
            return np.zeros((self.n_rows, 0), np.float32)
        x = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)  # a fresh tensor: converted in place
        db = amplitude_to_db(x, inplace=True) if self._cqt is not None else power_to_db(x, inplace=True)
        return db.float().cpu().numpy()

    def _part_frames(self) -> int:
        """Frames per part of a columns() call. STFT and mel: a part's samples and spectra (~4 bytes per bin a
        frame) stay under the mmap threshold (heap.py), so its temporaries are reused heap memory, not fresh
        mmaps paged in and unmapped again for every part (which made tiles 2-5x slower). CQT: 1024 (~25 MB
        per thread; its octaves manage their own blocks)."""
        if self._cqt is not None:
            return 1024
        return max(8, MMAP_THRESHOLD * 7 // 8 // (4 * (self.settings.n_fft // 2 + 1)))

    def _linear(self, read, gather, centres: np.ndarray, cancelled) -> torch.Tensor:
        """Power (STFT, mel) or magnitude (CQT) columns (rows, len(centres)) on the device."""
        if self._cqt is not None:
            return self._cqt.magnitude(read, centres, cancelled)
        n = self.settings.n_fft
        step = int(centres[1] - centres[0]) if len(centres) > 1 else 0
        if step >= 1 and np.all(np.diff(centres) == step):  # evenly spaced: one read, strided frames
            seg = np.ascontiguousarray(read(int(centres[0]) - n // 2, int(centres[-1]) + n - n // 2), np.float32)
            if torch.device(self.device).type == "cpu":  # cache-sized blocks; mel projected block by block
                return strided_power(seg, step, self.settings, self._mel)
            p = segment_power(torch.from_numpy(seg).to(self.device), step, self.settings)
        else:
            frames = torch.from_numpy(np.ascontiguousarray(gather(centres - n // 2, n), dtype=np.float32))
            p = frames_power(frames.to(self.device), self.settings)
        return self._mel(p) if self._mel is not None else p


def _pool_max(x: torch.Tensor, pool: int) -> torch.Tensor:
    """(rows, cols) -> (rows, cols // pool): max over runs of ``pool`` columns. Power spectra come as the
    transpose of a (cols, rows) tensor: reduce in that layout (contiguous, no copy)."""
    rows = x.shape[0]
    if x.T.is_contiguous():
        return x.T.reshape(-1, pool, rows).amax(dim=1).T
    return x.reshape(rows, -1, pool).amax(dim=2)


def array_reader(y: np.ndarray):
    """(read, gather) callables over a 1-D array, zero outside it (for ColumnAnalyser)."""

    def read(a: int, b: int) -> np.ndarray:
        return padded_slice(y, a, b)

    def gather(starts: np.ndarray, n: int) -> np.ndarray:
        pos = np.asarray(starts, dtype=np.int64)[:, None] + np.arange(n)[None, :]
        ok = (pos >= 0) & (pos < len(y))
        out = y[np.clip(pos, 0, max(len(y) - 1, 0))] if len(y) else np.zeros(pos.shape, np.float32)
        return np.where(ok, out, np.float32(0)).astype(np.float32, copy=False)

    return read, gather


__all__ = ["compute_spectrogram", "ColumnAnalyser", "array_reader", "power_to_db", "amplitude_to_db",
           "row_frequencies", "DB_FLOOR"]
