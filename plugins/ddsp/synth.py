"""Differentiable synthesisers (torch): harmonic additive oscillator bank, filtered noise and a learnable reverb.

All signals are at ``sample_rate`` Hz; control signals are frames ``hop`` samples apart (frame k at k * hop).
Shapes: batch first; frames (B, T, ...) and audio (B, N) with N = T * hop.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def scaled_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """DDSP's positive output non-linearity: 2 * sigmoid(x) ** ln(10) + 1e-7 (range ~0..2, gentle in dB)."""
    return 2.0 * torch.sigmoid(x) ** math.log(10.0) + 1e-7


def upsample_frames(x: torch.Tensor, hop: int) -> torch.Tensor:
    """(B, T, C) frame values -> (B, T * hop, C) by linear interpolation between frame centres."""
    b, t, c = x.shape
    y = F.interpolate(x.transpose(1, 2), size=t * hop, mode="linear", align_corners=False)
    return y.transpose(1, 2)


def harmonic_synth(f0: torch.Tensor, amplitude: torch.Tensor, distribution: torch.Tensor,
                   hop: int, sample_rate: int, phase0: torch.Tensor | None = None,
                   return_phase: bool = False):
    """Sum of sinusoids at k * f0 (k = 1..K).

    f0 (B, T) in Hz; amplitude (B, T, 1) overall; distribution (B, T, K) relative harmonic weights.
    Harmonics at or above Nyquist are removed before the distribution is re-normalised (anti-aliasing).
    ``phase0`` (B,) is the starting phase in cycles (to continue a previous block); with ``return_phase`` the
    phase after the last sample is returned too. Returns (B, T * hop) audio [, (B,) phase in cycles].
    """
    k = torch.arange(1, distribution.shape[-1] + 1, device=f0.device, dtype=f0.dtype)
    audible = (f0[..., None] * k < sample_rate / 2).to(distribution.dtype)
    dist = distribution * audible
    dist = dist / dist.sum(-1, keepdim=True).clamp_min(1e-7)
    amps = upsample_frames(amplitude * dist, hop)  # (B, N, K)
    f0_up = upsample_frames(f0[..., None], hop)[..., 0]  # (B, N)
    # Phase accumulated in float64 so that long signals keep their tuning; wrapped before the sine.
    cycles = torch.cumsum(f0_up.double() / sample_rate, dim=1)
    if phase0 is not None:
        cycles = cycles + phase0.double()[:, None]
    phase = (2 * math.pi * (cycles - torch.floor(cycles))).to(f0.dtype)
    # Per-sample anti-alias mask too (interpolated f0 can cross Nyquist between frames).
    amps = amps * (f0_up[..., None] * k < sample_rate / 2)
    audio = (amps * torch.sin(phase[..., None] * k)).sum(-1)
    if return_phase:
        return audio, torch.remainder(cycles[:, -1], 1.0)
    return audio


def magnitudes_to_ir(mags: torch.Tensor, ir_size: int) -> torch.Tensor:
    """(B, T, F) zero-phase filter magnitudes -> (B, T, ir_size) Hann-windowed linear-phase impulse responses."""
    ir = torch.fft.irfft(torch.complex(mags, torch.zeros_like(mags)), dim=-1)
    n = ir.shape[-1]
    ir = torch.roll(ir, n // 2, dims=-1)  # centre the zero-phase response
    win = torch.hann_window(n, device=ir.device, dtype=ir.dtype)
    ir = ir * win
    # Kept causal (a delay of n/2 samples): rolling back would wrap the left half to the end.
    return F.pad(ir, (0, max(0, ir_size - n)))[..., :ir_size]


def fft_convolve(signal: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """Linear convolution along the last axis, cut to the signal's length (same leading shape)."""
    n = signal.shape[-1] + kernel.shape[-1] - 1
    size = 1 << (n - 1).bit_length()
    out = torch.fft.irfft(torch.fft.rfft(signal, size) * torch.fft.rfft(kernel, size), size)
    return out[..., : signal.shape[-1]]


def filtered_noise(mags: torch.Tensor, hop: int) -> torch.Tensor:
    """White noise shaped per frame by a time-varying FIR built from (B, T, F) magnitudes; returns (B, T * hop)."""
    b, t, nf = mags.shape
    ir = magnitudes_to_ir(mags, 2 * (nf - 1))
    noise = torch.rand(b, t, hop, device=mags.device, dtype=mags.dtype) * 2 - 1
    # Each frame's noise block is filtered with its own IR; the tail beyond the block is kept via overlap-add.
    full = fft_convolve(F.pad(noise, (0, ir.shape[-1] - 1)), ir)  # (B, T, hop + L - 1)
    return overlap_add(full, hop)


def overlap_add(frames: torch.Tensor, hop: int) -> torch.Tensor:
    """(B, T, L) blocks placed ``hop`` apart and summed -> (B, T * hop) (the tail after the end is dropped)."""
    b, t, length = frames.shape
    out = F.fold(frames.transpose(1, 2), output_size=(1, (t - 1) * hop + length), kernel_size=(1, length),
                 stride=(1, hop))
    return out[:, 0, 0, : t * hop]


class Reverb(nn.Module):
    """Learnable room: a noise impulse response with a learnt exponential decay and wet gain, plus the dry path."""

    def __init__(self, length: int, sample_rate: int):
        super().__init__()
        self.length, self.sample_rate = length, sample_rate
        self.noise = nn.Parameter(torch.rand(length) * 2 - 1)
        self.decay = nn.Parameter(torch.tensor(2.0))  # softplus -> decay rate in 1/s (x 4)
        self.wet = nn.Parameter(torch.tensor(-2.0))  # sigmoid -> wet gain

    def impulse_response(self) -> torch.Tensor:
        t = torch.arange(self.length, device=self.noise.device, dtype=self.noise.dtype) / self.sample_rate
        env = torch.exp(-F.softplus(self.decay) * 4.0 * t)
        ir = self.noise * env * torch.sigmoid(self.wet)
        ir = ir.clone()
        ir[0] = 1.0  # dry signal
        return ir

    def forward(self, audio: torch.Tensor) -> torch.Tensor:
        return fft_convolve(audio, self.impulse_response()[None, :])
