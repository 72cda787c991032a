"""STFT and mel power spectra in torch, numerically matching librosa.stft / librosa.feature.melspectrogram.

Conventions (librosa's): periodic window, frames centred on t = k * hop samples with zero padding outside the
signal (center=True, pad_mode="constant"), power = |STFT|**2 with no normalisation, Slaney mel filters.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from ..errors import InvalidParameterError
from .blocks import run_ranges
from .cpu_power import padded_frames, power_into, use_rfft, window as _window_np
from .frequencies import mel_band_edges, mel_frequencies, stft_frequencies  # noqa: F401 (re-exported)
from .settings import SpectrogramSettings

# torch's FFT for every CPU power loop from now on (numpy's is ~7x slower on float32 rows)
use_rfft(lambda rows: torch.fft.rfft(torch.from_numpy(rows), dim=-1).numpy())


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
    if t.device.type == "cpu":
        return _blocked(t.numpy(), settings)
    # Constant padding done by hand: torch.stft's pad must be smaller than the input for some modes.
    return segment_power(torch.nn.functional.pad(t, (n // 2, n // 2)), settings.hop, settings)


def _blocked(y: np.ndarray, settings: SpectrogramSettings, mel: "MelProjector | None" = None) -> torch.Tensor:
    """stft_power / mel_power on the CPU: ranges of frames on our worker threads into one (frames, rows) array;
    returns its (rows, frames) transposed view."""
    frames = padded_frames(y, settings)
    out = np.empty((len(frames), settings.n_fft // 2 + 1 if mel is None else mel.fb.shape[0]), np.float32)
    project = mel.project_arrays if mel is not None else None
    run_ranges(lambda a, b: power_into(frames[a:b], settings, out[a:b], project), len(frames), min_size=64)
    return torch.from_numpy(out).T


def segment_power(segment: torch.Tensor, step: int, settings: SpectrogramSettings) -> torch.Tensor:
    """|FFT|**2 (n_fft//2 + 1, frames) of the frames segment[k*step : k*step + n_fft] (no padding)."""
    n = settings.n_fft
    win = window_tensor(settings.window, n, segment.device)
    spec = torch.stft(segment, n, hop_length=step, window=win, center=False, return_complex=True)
    return _power(spec)


def _power(spec: torch.Tensor) -> torch.Tensor:
    """|spec|**2 with one output allocation (re**2, then += im**2 in place)."""
    r = torch.view_as_real(spec)
    p = r[..., 0].square()
    return p.addcmul_(r[..., 1], r[..., 1])


def frames_power(frames: torch.Tensor, settings: SpectrogramSettings) -> torch.Tensor:
    """|FFT|**2 of already cut frames (cols, n_fft) -> (n_fft//2 + 1, cols); same numbers as stft_power."""
    win = window_tensor(settings.window, settings.n_fft, frames.device)
    spec = torch.fft.rfft(frames * win, dim=-1)
    return _power(spec).T


@lru_cache(maxsize=16)
def _mel_fb_np(sr: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    import torchaudio.functional as AF

    fb = AF.melscale_fbanks(n_fft // 2 + 1, fmin, fmax, n_mels, sr, norm="slaney", mel_scale="slaney")
    return fb.T.contiguous().numpy()  # (n_mels, n_freqs)


def mel_filterbank(sr: int, settings: SpectrogramSettings, device: str = "cpu") -> torch.Tensor:
    """Slaney-normalised mel filters (n_mels, n_fft//2 + 1), as librosa.filters.mel with its defaults."""
    fmin, fmax = mel_band_edges(sr, settings)
    return torch.from_numpy(_mel_fb_np(int(sr), settings.n_fft, settings.n_mels, fmin, fmax)).to(device)


class MelProjector:
    """Applies the mel filterbank to power spectra (n_freqs, cols) -> (n_mels, cols).

    The triangular filters are narrow: each block of ``block`` consecutive bands touches only a short run of
    FFT bins, so a product per block over just those bins does the dense fb @ power with ~7x fewer operations.
    """

    def __init__(self, sr: int, settings: SpectrogramSettings, device: str = "cpu", block: int = 16):
        self.fb = mel_filterbank(sr, settings, device)
        nz = (self.fb != 0).cpu().numpy()
        self.blocks = []
        for a in range(0, self.fb.shape[0], block):
            cols = np.flatnonzero(nz[a:a + block].any(axis=0))
            if len(cols):
                lo, hi, b = int(cols[0]), int(cols[-1]) + 1, min(a + block, self.fb.shape[0])
                self.blocks.append((a, b, lo, hi, self.fb[a:b, lo:hi].contiguous()))
        self.n_bins = max((b[3] for b in self.blocks), default=0)  # bins above this get no weight

    def __call__(self, power: torch.Tensor) -> torch.Tensor:
        out = torch.zeros(self.fb.shape[0], power.shape[1], dtype=power.dtype, device=power.device)
        for a, b, lo, hi, w in self.blocks:
            torch.mm(w, power[lo:hi], out=out[a:b])
        return out

    def project_frames(self, power: torch.Tensor, out: torch.Tensor) -> None:
        """The same projection for frame-major power (frames, n_freqs) into ``out`` (frames, n_mels)."""
        out.zero_()
        for a, b, lo, hi, w in self.blocks:
            torch.mm(power[:, lo:hi], w.T, out=out[:, a:b])

    def project_arrays(self, power: np.ndarray, out: np.ndarray) -> None:
        """project_frames on numpy arrays (CPU; the ``project`` of cpu_power.power_into)."""
        self.project_frames(torch.from_numpy(power), torch.from_numpy(out))


_PROJECTORS: dict = {}


def mel_projector(sr: int, settings: SpectrogramSettings, device: str = "cpu") -> MelProjector:
    """Cached MelProjector: the ONE mel filterbank of the workbench (files, views and the live view)."""
    key = (int(sr), settings.analysis_key(), str(device))
    proj = _PROJECTORS.get(key)
    if proj is None:
        proj = _PROJECTORS[key] = MelProjector(sr, settings, device)
    return proj


def mel_power(x, sr: int, settings: SpectrogramSettings, device: str = "cpu") -> torch.Tensor:
    """Mel power spectrogram (n_mels, frames), equal to librosa.feature.melspectrogram(y=x, sr=sr, n_fft=n_fft,
    hop_length=hop, window=window, n_mels=n_mels, fmin=fmin, fmax=fmax) (power=2, Slaney mel)."""
    _check_fft(settings)
    t = _as_mono_tensor(x, device)
    if t.device.type == "cpu" and t.numel():
        return _blocked(t.numpy(), settings, mel_projector(sr, settings))
    return mel_projector(sr, settings, device)(stft_power(t, sr, settings, device))


def _check_fft(settings: SpectrogramSettings) -> None:
    if settings.n_fft < 16 or settings.hop < 1:
        raise InvalidParameterError(f"n_fft must be >= 16 and hop >= 1 (got {settings.n_fft}, {settings.hop})")
