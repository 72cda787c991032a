"""Incremental STFT / mel spectrogram of a live signal: new columns as samples arrive (no Qt).

The numbers are the file view's (``workbench.core.features``: the same periodic window, power, the ONE Slaney mel
filterbank, ``power_to_db``), so a recording shows the same colours live and once opened. Column ``k`` is
centred at sample ``k * hop + n_fft // 2`` of the stream (the first column needs ``n_fft`` samples), which is
column ``k + n_fft // (2 * hop)`` of the file's spectrogram when ``hop`` divides ``n_fft // 2``.
"""

from __future__ import annotations

import numpy as np

from workbench.core.features import SpectrogramSettings, row_frequencies

DISPLAY_RANGE_DB = 100.0


class LiveSpectrogram:
    """Feeds mono samples, yields spectrogram columns. ``kind`` is 'stft' (linear Hz bins) or 'mel'.

    ``db_range``: (low, high) dB to display, high being the level of a full-scale sine on the STFT."""

    def __init__(self, sample_rate: int, n_fft: int = 2048, hop: int = 512, kind: str = "stft", n_mels: int = 128):
        if kind not in ("stft", "mel"):
            raise ValueError("live spectrogram kind must be 'stft' or 'mel'")
        from workbench.core.features.stft import mel_projector, window_tensor  # torch loads here

        self.sample_rate, self.n_fft, self.hop, self.kind = int(sample_rate), int(n_fft), int(hop), kind
        self.settings = SpectrogramSettings(kind=kind, n_fft=self.n_fft, hop=self.hop, n_mels=n_mels)
        self._mel = mel_projector(self.sample_rate, self.settings) if kind == "mel" else None
        window = window_tensor(self.settings.window, self.n_fft).numpy()
        top = 10.0 * np.log10((float(window.sum()) / 2.0) ** 2)  # a full-scale sine's peak bin
        self.db_range = (top - DISPLAY_RANGE_DB, top)
        self.frequencies = row_frequencies(self.sample_rate, self.settings).astype(np.float32)
        self._pending = np.zeros(0, np.float32)
        self.columns_made = 0

    def column_time(self, k: int) -> float:
        """Centre of column ``k`` in seconds from the start of the stream."""
        return (k * self.hop + self.n_fft // 2) / self.sample_rate

    def push(self, samples: np.ndarray) -> np.ndarray:
        """Add mono samples; returns the new columns, shape (count, bins), in dB."""
        import torch

        from workbench.core.features.compute import power_to_db
        from workbench.core.features.stft import frames_power

        x = np.concatenate([self._pending, np.asarray(samples, np.float32).reshape(-1)])
        count = 0 if len(x) < self.n_fft else 1 + (len(x) - self.n_fft) // self.hop
        if count == 0:
            self._pending = x
            return np.zeros((0, len(self.frequencies)), np.float32)
        frames = torch.from_numpy(x[: (count - 1) * self.hop + self.n_fft].copy()).unfold(0, self.n_fft, self.hop)
        power = frames_power(frames, self.settings)
        if self._mel is not None:
            power = self._mel(power)
        self._pending = x[count * self.hop:]
        self.columns_made += count
        return np.ascontiguousarray(power_to_db(power).T.numpy(), dtype=np.float32)
