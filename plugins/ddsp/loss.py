"""Multi-scale spectral loss (DDSP): L1 on linear and log magnitudes over several FFT sizes."""

from __future__ import annotations

import torch

FFT_SIZES = (2048, 1024, 512, 256, 128, 64)


def multiscale_spectral_loss(pred: torch.Tensor, target: torch.Tensor, fft_sizes=FFT_SIZES,
                             log_weight: float = 1.0) -> torch.Tensor:
    """Mean over scales of mean|S_p - S_t| + log_weight * mean|log S_p - log S_t| (S: STFT magnitude, 75% overlap)."""
    total = pred.new_zeros(())
    for n in fft_sizes:
        win = torch.hann_window(n, device=pred.device, dtype=pred.dtype)
        sp = torch.stft(pred, n, n // 4, window=win, return_complex=True).abs()
        st = torch.stft(target, n, n // 4, window=win, return_complex=True).abs()
        total = total + (sp - st).abs().mean() + log_weight * (torch.log(sp + 1e-7) - torch.log(st + 1e-7)).abs().mean()
    return total / len(fft_sizes)
