"""Row frequencies of each spectrogram kind (numpy only, so the GUI can map axes without importing torch)."""

from __future__ import annotations

import math

import numpy as np

from ..errors import InvalidParameterError
from .settings import KINDS, SpectrogramSettings

HANN_BANDWIDTH = 1.50018310546875  # librosa.filters.window_bandwidth("hann")


def cqt_alpha(bins_per_octave: int) -> float:
    """Relative bandwidth of equal-tempered CQT filters (librosa's)."""
    r = 2.0 ** (2.0 / bins_per_octave)
    return (r - 1) / (r + 1)


def cqt_bins_fitting(sr: int, settings: SpectrogramSettings) -> int:
    """settings.n_bins, reduced so the top filter's cutoff stays below Nyquist."""
    bpo, Q = settings.bins_per_octave, 1.0 / cqt_alpha(settings.bins_per_octave)
    top = (sr / 2.0) / (1 + 0.5 * HANN_BANDWIDTH / Q)
    fit = int(math.floor(bpo * math.log2(top / settings.fmin))) + 1 if top > settings.fmin > 0 else 0
    return max(0, min(settings.n_bins, fit))


def cqt_frequencies(sr: int, settings: SpectrogramSettings) -> np.ndarray:
    """Centre frequencies (Hz) of the CQT rows that fit below Nyquist: fmin * 2**(k / bins_per_octave)."""
    n = cqt_bins_fitting(sr, settings)
    return float(settings.fmin) * 2.0 ** (np.arange(n) / settings.bins_per_octave)


def stft_frequencies(sr: int, n_fft: int) -> np.ndarray:
    """Centre frequency of each STFT bin in Hz, (n_fft//2 + 1,)."""
    return np.arange(n_fft // 2 + 1) * (sr / n_fft)


def mel_band_edges(sr: int, settings: SpectrogramSettings) -> tuple[float, float]:
    """(fmin, fmax) of the mel filterbank in Hz; fmax None means Nyquist."""
    fmax = float(settings.fmax) if settings.fmax else sr / 2.0
    fmax = min(fmax, sr / 2.0)
    fmin = max(0.0, float(settings.fmin))
    if fmin >= fmax:
        raise InvalidParameterError(f"mel fmin {fmin:g} Hz must be below fmax {fmax:g} Hz")
    return fmin, fmax


def mel_frequencies(sr: int, settings: SpectrogramSettings) -> np.ndarray:
    """Centre frequency of each mel band in Hz (librosa.mel_frequencies(n_mels + 2, fmin, fmax)[1:-1])."""
    from .axis import hz_to_mel, mel_to_hz

    fmin, fmax = mel_band_edges(sr, settings)
    mels = np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), settings.n_mels + 2)
    return mel_to_hz(mels)[1:-1]


def row_frequencies(sr: int, settings: SpectrogramSettings) -> np.ndarray:
    """Centre frequency (Hz, ascending) of each row of the kind's image."""
    if settings.kind == "stft":
        return stft_frequencies(sr, settings.n_fft)
    if settings.kind == "mel":
        return mel_frequencies(sr, settings)
    if settings.kind == "cqt":
        return cqt_frequencies(sr, settings)
    raise InvalidParameterError(f"unknown spectrogram kind {settings.kind!r}; expected one of {KINDS}")
