"""Incremental STFT / mel spectrogram of a live signal: new columns as samples arrive (no Qt).

Column ``k`` is centred at sample ``k * hop + n_fft // 2`` of the stream (the first column needs ``n_fft``
samples); values are power in dB (``10 log10``), floored at -120 dB.
"""

from __future__ import annotations

import numpy as np


def mel_filterbank(sample_rate: int, n_fft: int, n_mels: int, fmin: float = 0.0, fmax: float | None = None) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) Slaney-style triangular filters on the HTK mel scale."""
    fmax = fmax or sample_rate / 2
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)  # noqa: E731
    hz = lambda m: 700.0 * (10 ** (m / 2595.0) - 1.0)  # noqa: E731
    edges = hz(np.linspace(mel(fmin), mel(fmax), n_mels + 2))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    lower = (freqs[None, :] - edges[:-2, None]) / np.maximum(edges[1:-1, None] - edges[:-2, None], 1e-9)
    upper = (edges[2:, None] - freqs[None, :]) / np.maximum(edges[2:, None] - edges[1:-1, None], 1e-9)
    fb = np.maximum(0.0, np.minimum(lower, upper))
    fb *= (2.0 / (edges[2:] - edges[:-2]))[:, None]
    return fb.astype(np.float32)


class LiveSpectrogram:
    """Feeds mono samples, yields spectrogram columns. ``kind`` is 'stft' (linear Hz bins) or 'mel'."""

    def __init__(self, sample_rate: int, n_fft: int = 2048, hop: int = 512, kind: str = "stft", n_mels: int = 128):
        if kind not in ("stft", "mel"):
            raise ValueError("live spectrogram kind must be 'stft' or 'mel'")
        self.sample_rate, self.n_fft, self.hop, self.kind = int(sample_rate), int(n_fft), int(hop), kind
        self.window = np.hanning(self.n_fft).astype(np.float32)
        self._pending = np.zeros(0, np.float32)
        self.columns_made = 0
        if kind == "mel":
            self._fb = mel_filterbank(self.sample_rate, self.n_fft, n_mels)
            m = np.linspace(0, 2595.0 * np.log10(1 + self.sample_rate / 2 / 700.0), n_mels + 2)[1:-1]
            self.frequencies = (700.0 * (10 ** (m / 2595.0) - 1.0)).astype(np.float32)
        else:
            self._fb = None
            self.frequencies = np.fft.rfftfreq(self.n_fft, 1.0 / self.sample_rate).astype(np.float32)

    def column_time(self, k: int) -> float:
        """Centre of column ``k`` in seconds from the start of the stream."""
        return (k * self.hop + self.n_fft // 2) / self.sample_rate

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add mono samples; returns the new columns, shape (count, bins), in dB."""
        x = np.concatenate([self._pending, np.asarray(samples, np.float32).reshape(-1)])
        count = 0 if len(x) < self.n_fft else 1 + (len(x) - self.n_fft) // self.hop
        if count == 0:
            self._pending = x
            return np.zeros((0, len(self.frequencies)), np.float32)
        frames = np.lib.stride_tricks.sliding_window_view(x, self.n_fft)[: count * self.hop: self.hop]
        power = np.abs(np.fft.rfft(frames * self.window, axis=1)) ** 2
        power *= 4.0 / np.sum(self.window) ** 2  # a full-scale sine reads ~0 dB at its bin
        if self._fb is not None:
            power = power @ self._fb.T
        self._pending = x[count * self.hop:]
        self.columns_made += count
        return (10.0 * np.log10(np.maximum(power, 1e-12))).astype(np.float32)
