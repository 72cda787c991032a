"""Full-band 2-stem separation with the Spleeter U-Net: STFT masking at 44.1 kHz, chunked for long files.

Spleeter's networks see the first 1024 bins of a 4096-point STFT (0-11 kHz at 44.1 kHz). Above that, the vocal
mask of each frame is extended with the frame's magnitude-weighted mean vocal mask over 8.3-11 kHz (a variant of
Spleeter's own "average" extension: the vocal share of the energy just below the cut-off, which is the best
guess for the band above it). The accompaniment is the mixture minus the vocals at the input rate, so the two stems
sum back to the input exactly (up to float32 rounding, ~1e-6 of full scale) and nothing above 11 kHz is lost.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from workbench.core.chunks import crossfade_add
from workbench.core.plugin_api import JobContext
from workbench.core.resample import resample_array

from .unet import SpleeterUNet

RATE = 44100  # Hz, the rate Spleeter was trained at
N_FFT, HOP = 4096, 1024
BINS, SEGMENT = 1024, 512  # modelled bins (~11 kHz), frames per network input (~11.9 s)
EPS = 1e-10


def vocal_mask(nets: dict[str, SpleeterUNet], spec: torch.Tensor) -> torch.Tensor:
    """Soft vocal mask (2, N_FFT//2+1, frames) for a complex STFT ``spec`` of shape (2, N_FFT//2+1, frames)."""
    frames = spec.shape[-1]
    mag = spec[:, :BINS].abs()  # (2, F, L)
    pad = (-frames) % SEGMENT
    mag = torch.nn.functional.pad(mag, (0, pad))
    x = mag.reshape(2, BINS, -1, SEGMENT).permute(2, 0, 3, 1)  # (B, 2, T, F)
    est_v = nets["vocals"](x) ** 2
    est_a = nets["accompaniment"](x) ** 2
    m = (est_v + EPS / 2) / (est_v + est_a + EPS)  # Spleeter's Wiener-style ratio of squared estimates
    m = m.permute(1, 3, 0, 2).reshape(2, BINS, -1)[..., :frames]  # (2, F, L)
    top = spec[:, 3 * BINS // 4:BINS].abs()  # 8.3-11 kHz: the modelled bins nearest the unmodelled band
    upper = (m[:, 3 * BINS // 4:] * top).sum(dim=1, keepdim=True) / (top.sum(dim=1, keepdim=True) + EPS)
    full = torch.cat([m, upper.expand(-1, spec.shape[1] - BINS, -1)], dim=1)
    return full


@torch.inference_mode()
def vocals_44k(nets: dict[str, SpleeterUNet], stereo: np.ndarray, device: str) -> np.ndarray:
    """Vocal estimate (2, n) for a stereo float32 signal (2, n) at 44.1 kHz."""
    x = torch.from_numpy(np.array(stereo, dtype=np.float32)).to(device)  # a writable copy
    window = torch.hann_window(N_FFT, device=device)
    spec = torch.stft(x, N_FFT, HOP, window=window, center=True, pad_mode="constant", return_complex=True)
    spec = spec * vocal_mask(nets, spec)
    out = torch.istft(spec, N_FFT, HOP, window=window, center=True, length=x.shape[-1])
    return out.cpu().numpy().astype(np.float32)


def _vocals_chunk(nets, chunk: np.ndarray, rate: int, device: str) -> np.ndarray:
    """Vocals of one chunk (channels, n) at the input rate; channel counts other than 2 are run as dual-mono."""
    n = chunk.shape[-1]
    x = resample_array(chunk, rate, RATE) if rate != RATE else chunk
    if x.shape[0] == 2:
        v = vocals_44k(nets, x, device)
    else:
        v = np.stack([vocals_44k(nets, np.stack([c, c]), device).mean(axis=0) for c in x])
    if rate != RATE:
        v = resample_array(v, RATE, rate)
    if v.shape[-1] < n:
        v = np.pad(v, ((0, 0), (0, n - v.shape[-1])))
    return v[:, :n]


def separate(nets: dict[str, SpleeterUNet], samples: np.ndarray, rate: int, ctx: JobContext,
             chunk_seconds: float = 30.0, overlap_seconds: float = 2.0,
             on_partial=None, partial_every: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    """(vocals, accompaniment), each shaped like ``samples`` (channels, n) at ``rate`` Hz.

    Memory: the chunks are processed one at a time and cross-faded linearly over ``overlap_seconds``, so
    beyond the input only the vocals array and one chunk's working set are held.
    ``on_partial(vocals, accompaniment)``: the stems of the part no later chunk changes any more (copies),
    after the first chunk and then at most every ``partial_every`` s of wall time.
    """
    samples = np.asarray(samples, dtype=np.float32)
    vocals = np.zeros_like(samples)
    ov = int(round(overlap_seconds * rate))
    last = None
    for chunk in ctx.chunks(samples, rate, chunk_seconds, overlap_seconds, text="separating"):
        crossfade_add(vocals, _vocals_chunk(nets, chunk.samples, rate, ctx.device), chunk, ov)
        final = chunk.start + chunk.samples.shape[-1] - (ov if chunk.index < chunk.count - 1 else 0)
        if on_partial is not None and chunk.index < chunk.count - 1 and (
                last is None or time.monotonic() - last >= partial_every):
            last = time.monotonic()
            v = vocals[:, :final].copy()
            on_partial(v, samples[:, :final] - v)
    accompaniment = samples - vocals
    return vocals, accompaniment
