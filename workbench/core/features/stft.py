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
from ..heap import MMAP_THRESHOLD
from .frequencies import mel_band_edges, mel_frequencies, stft_frequencies  # noqa: F401 (re-exported)
from .blocks import run_ranges
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
    if t.device.type == "cpu":
        return _blocked(t.numpy(), settings)
    # Constant padding done by hand: torch.stft's pad must be smaller than the input for some modes.
    return segment_power(torch.nn.functional.pad(t, (n // 2, n // 2)), settings.hop, settings)


_BLOCK_BYTES = 1 << 20  # frames per CPU block: this many bytes of frames (see _frames_power_into)


def _frames_view(x: np.ndarray, n: int, step: int) -> np.ndarray:
    """(frames, n) read-only strided view of the frames x[k*step : k*step + n] of a float32 array."""
    count = 1 + (len(x) - n) // step
    return np.lib.stride_tricks.as_strided(x, (count, n), (step * 4, 4), writeable=False)


def _padded_frames(y: np.ndarray, settings: SpectrogramSettings) -> np.ndarray:
    """(frames, n_fft) strided view of ``y`` zero-padded by n_fft // 2 on both sides (centred frames)."""
    n = settings.n_fft
    padded = np.zeros(len(y) + 2 * (n // 2), dtype=np.float32)
    padded[n // 2:n // 2 + len(y)] = y
    return _frames_view(padded, n, settings.hop)


def _frames_power_into(frames: np.ndarray, settings: SpectrogramSettings, out: np.ndarray,
                       mel: "MelProjector | None" = None) -> None:
    """|FFT|**2 of ``frames`` (or its mel projection) into ``out`` (frames, rows), one cache-sized block at a
    time: a block's frames, spectra and powers (about 3 MB at n_fft 2048) stay in the caches, where one pass
    over the whole (bins, frames) matrix per step would stream it through memory."""
    n = settings.n_fft
    win = _window_np(settings.window, n)
    # A block's spectra (8 bytes a bin) stay under the mmap threshold (heap.py): bigger ones would be fresh
    # mmaps, paged in and unmapped again on every block, which made tiles 2-3x slower.
    block = max(8, min(_BLOCK_BYTES // (4 * n), MMAP_THRESHOLD * 7 // 8 // (8 * (n // 2 + 1))))
    buf = np.empty((min(block, len(frames)), n), dtype=np.float32)
    mag = np.empty((len(buf), n // 2 + 1), dtype=np.float32)
    for a in range(0, len(frames), block):
        m = min(block, len(frames) - a)
        np.multiply(frames[a:a + m], win, out=buf[:m])
        spec = torch.fft.rfft(torch.from_numpy(buf[:m]), dim=-1).numpy()
        np.abs(spec, out=mag[:m])  # numpy's complex abs is one fast pass
        if mel is None:
            np.square(mag[:m], out=out[a:a + m])
        else:
            np.square(mag[:m], out=mag[:m])
            mel.project_frames(torch.from_numpy(mag[:m]), torch.from_numpy(out[a:a + m]))


def _blocked(y: np.ndarray, settings: SpectrogramSettings, mel: "MelProjector | None" = None) -> torch.Tensor:
    """stft_power / mel_power on the CPU: ranges of frames on our worker threads into one (frames, rows) array;
    returns its (rows, frames) transposed view."""
    frames = _padded_frames(y, settings)
    out = np.empty((len(frames), settings.n_fft // 2 + 1 if mel is None else mel.fb.shape[0]), np.float32)
    run_ranges(lambda a, b: _frames_power_into(frames[a:b], settings, out[a:b], mel), len(frames), min_size=64)
    return torch.from_numpy(out).T


def strided_power(segment: np.ndarray, step: int, settings: SpectrogramSettings,
                  mel: "MelProjector | None" = None) -> torch.Tensor:
    """segment_power (or its mel projection) of a float32 numpy segment on the CPU, on the calling thread (the
    spectrogram view runs one per tile worker). Returns (rows, frames), a transposed view of frame-major memory."""
    frames = _frames_view(segment, settings.n_fft, step)
    out = np.empty((len(frames), settings.n_fft // 2 + 1 if mel is None else mel.fb.shape[0]), np.float32)
    _frames_power_into(frames, settings, out, mel)
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
