"""STFT and mel power spectra in torch, numerically matching librosa.stft / librosa.feature.melspectrogram.

Conventions (librosa's): periodic window, frames centred on t = k * hop samples with zero padding outside the
signal (center=True, pad_mode="constant"), power = |STFT|**2 with no normalisation, Slaney mel filters.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch
from scipy.signal import get_window

from ..errors import InvalidParameterError
from .frequencies import mel_band_edges, mel_frequencies, stft_frequencies  # noqa: F401 (re-exported)
from .settings import SpectrogramSettings


@lru_cache(maxsize=32)
def _window_np(name: str, n_fft: int) -> np.ndarray:
    try:
        return get_window(name, n_fft, fftbins=True).astype(np.float32)
    except ValueError as exc:
        raise InvalidParameterError(f"unknown window {name!r}: {exc}") from None


def window_tensor(name: str, n_fft: int, device: str | torch.device = "cpu") -> torch.Tensor:
    """Periodic analysis window of ``n_fft`` samples (scipy.signal.get_window(name, n_fft, fftbins=True))."""
    return torch.from_numpy(_window_np(name, n_fft)).to(device)


def _as_mono_tensor(x, device) -> torch.Tensor:
    t = torch.as_tensor(np.asarray(x, dtype=np.float32) if not isinstance(x, torch.Tensor) else x)
    if t.ndim == 2:
        t = t.mean(dim=0)
    if t.ndim != 1:
        raise InvalidParameterError(f"expected 1-D or (channels, samples) audio, got shape {tuple(t.shape)}")
    return t.to(device=device, dtype=torch.float32)


def stft_power(x, sr: int, settings: SpectrogramSettings, device: str = "cpu") -> torch.Tensor:
    """|STFT|**2 of the mono signal ``x`` (samples, float) with settings.n_fft / hop / window.

    Returns a float32 tensor (n_fft//2 + 1, frames) on ``device``, frames = 1 + len(x) // hop, frame k centred on
    sample k * hop; equals np.abs(librosa.stft(x, n_fft=n_fft, hop_length=hop, window=window))**2.
    """
    _check_fft(settings)
    t = _as_mono_tensor(x, device)
    n = settings.n_fft
    if t.numel() == 0:
        return torch.zeros(n // 2 + 1, 0, device=device)
    win = window_tensor(settings.window, n, device)
    # Constant padding done by hand: torch.stft's pad must be smaller than the input for some modes.
    t = torch.nn.functional.pad(t, (n // 2, n // 2))
    spec = torch.stft(t, n, hop_length=settings.hop, window=win, center=False, return_complex=True)
    return spec.real.square() + spec.imag.square()


def frames_power(frames: torch.Tensor, settings: SpectrogramSettings) -> torch.Tensor:
    """|FFT|**2 of already cut frames (cols, n_fft) -> (n_fft//2 + 1, cols); same numbers as stft_power."""
    win = window_tensor(settings.window, settings.n_fft, frames.device)
    spec = torch.fft.rfft(frames * win, dim=-1)
    return (spec.real.square() + spec.imag.square()).T


@lru_cache(maxsize=16)
def _mel_fb_np(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    import torchaudio.functional as AF

    fb = AF.melscale_fbanks(n_fft // 2 + 1, fmin, fmax, n_mels, sr, norm="slaney", mel_scale="slaney")
    return fb.T.contiguous().numpy()  # (n_mels, n_freqs)


def mel_filterbank(sr: int, settings: SpectrogramSettings, device: str = "cpu") -> torch.Tensor:
    """Slaney-normalised mel filters (n_mels, n_fft//2 + 1), as librosa.filters.mel with its defaults."""
    fmin, fmax = mel_band_edges(sr, settings)
    return torch.from_numpy(_mel_fb_np(int(sr), settings.n_fft, settings.n_mels, fmin, fmax)).to(device)


def mel_power(x, sr: int, settings: SpectrogramSettings, device: str = "cpu") -> torch.Tensor:
    """Mel power spectrogram (n_mels, frames), equal to librosa.feature.melspectrogram(y=x, sr=sr, n_fft=n_fft,
    hop_length=hop, window=window, n_mels=n_mels, fmin=fmin, fmax=fmax) (power=2, Slaney mel)."""
    return mel_filterbank(sr, settings, device) @ stft_power(x, sr, settings, device)


def _check_fft(settings: SpectrogramSettings) -> None:
    if settings.n_fft < 16 or settings.hop < 1:
        raise InvalidParameterError(f"n_fft must be >= 16 and hop >= 1 (got {settings.n_fft}, {settings.hop})")
