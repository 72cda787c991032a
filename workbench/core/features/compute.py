"""Whole-signal spectrograms (compute_spectrogram), in torch. Column-wise analysis at arbitrary frame centres
(the view's tiles, the same numbers for the same frame centres) is columns.ColumnAnalyser."""

from __future__ import annotations

import numpy as np
import torch

from ..errors import InvalidParameterError
from .cqt import cqt_magnitude, padded_slice
from .columns import ColumnAnalyser  # noqa: F401  (re-exported)
from .frequencies import row_frequencies
from .settings import DB_FLOOR, SpectrogramImage, SpectrogramSettings
from .stft import mel_power, stft_power


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
