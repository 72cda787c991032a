"""FrequencyAxis: maps Hz <-> fractional row position of the displayed spectrogram, on every scale."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .settings import SpectrogramSettings

_F_SP = 200.0 / 3
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP
_LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel(hz):
    """Slaney mel scale (librosa.hz_to_mel with htk=False): linear below 1 kHz, logarithmic above."""
    hz = np.asarray(hz, dtype=np.float64)
    lin = hz / _F_SP
    log = _MIN_LOG_MEL + np.log(np.maximum(hz, 1e-12) / _MIN_LOG_HZ) / _LOGSTEP
    return np.where(hz >= _MIN_LOG_HZ, log, lin)


def mel_to_hz(mel):
    """Inverse of hz_to_mel (Slaney)."""
    mel = np.asarray(mel, dtype=np.float64)
    return np.where(mel >= _MIN_LOG_MEL, _MIN_LOG_HZ * np.exp(_LOGSTEP * (mel - _MIN_LOG_MEL)), _F_SP * mel)


def _warp(scale: str, hz):
    hz = np.asarray(hz, dtype=np.float64)
    if scale == "linear":
        return hz
    if scale == "mel":
        return hz_to_mel(np.maximum(hz, 0.0))
    return np.log2(np.maximum(hz, 1e-3))  # log: clamp so 0 Hz maps far below the bottom, not to -inf


def _unwarp(scale: str, v):
    v = np.asarray(v, dtype=np.float64)
    if scale == "linear":
        return v
    if scale == "mel":
        return mel_to_hz(v)
    return np.exp2(v)


@dataclass(frozen=True)
class FrequencyAxis:
    """Rows 0..n_rows-1 spaced uniformly in ``scale`` ('linear', 'log' or 'mel') from ``lo_hz`` (row 0 centre,
    the bottom) to ``hi_hz`` (row n_rows-1 centre). With the kind's native scale the rows are exactly the
    spectrogram's rows: STFT bin k, mel band k, CQT bin k sit at position k."""

    scale: str
    lo_hz: float
    hi_hz: float
    n_rows: int

    @classmethod
    def for_settings(cls, settings: SpectrogramSettings, sr: int) -> "FrequencyAxis":
        from .frequencies import cqt_frequencies, mel_frequencies, stft_frequencies

        scale = settings.display_scale()
        if settings.kind == "cqt":
            f = cqt_frequencies(sr, settings)
        elif settings.kind == "mel":
            f = mel_frequencies(sr, settings)
        else:
            f = stft_frequencies(sr, settings.n_fft)
        native = settings.display_scale() == {"stft": "linear", "mel": "mel", "cqt": "log"}[settings.kind]
        if settings.freq_scale == "auto" or native:
            return cls(scale, float(f[0]), float(f[-1]), int(len(f)))
        if scale == "log":
            lo = max(float(settings.fmin), float(f[f > 0][0]))
            hi = float(f[-1])
            n_rows = int(min(max(len(f), 256), 1024))
            return cls("log", lo, hi, n_rows)
        if scale == "mel":
            return cls("mel", float(f[0]), float(f[-1]), int(min(max(len(f), 128), 1024)))
        # linear display of a mel or CQT image: rows of equal Hz from 0 to the top frequency
        return cls("linear", 0.0, float(f[-1]), int(min(max(len(f), 256), 1024)))

    def to_position(self, hz):
        """Fractional row index (0 = centre of the bottom row) of frequencies ``hz`` (Hz). Scalars give floats."""
        a, b = _warp(self.scale, self.lo_hz), _warp(self.scale, self.hi_hz)
        pos = (_warp(self.scale, hz) - a) / (b - a) * max(self.n_rows - 1, 1)
        return float(pos) if np.ndim(pos) == 0 else pos

    def from_position(self, pos):
        """Frequency in Hz at fractional row ``pos`` (inverse of to_position)."""
        a, b = _warp(self.scale, self.lo_hz), _warp(self.scale, self.hi_hz)
        hz = _unwarp(self.scale, a + np.asarray(pos, dtype=np.float64) / max(self.n_rows - 1, 1) * (b - a))
        return float(hz) if np.ndim(hz) == 0 else hz
