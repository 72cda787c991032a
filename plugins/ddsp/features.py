"""Control features for DDSP: f0 (FCPE via the pitch plugin) and A-weighted loudness, on a 10 ms frame grid.

Frames are centred at ``k * HOP`` samples of 16 kHz audio, ``1 + len(y) // HOP`` frames per signal, the same grid
as the pitch plugin's FCPE estimator.
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 16000  # Hz: DDSP models here work at 16 kHz
HOP = 160  # samples (10 ms) between control frames
LOUDNESS_NFFT = 1024
SILENCE_DB = -100.0


def a_weighting_db(freqs: np.ndarray) -> np.ndarray:
    """IEC 61672 A-weighting in dB for frequencies in Hz."""
    f2 = np.maximum(np.asarray(freqs, np.float64), 1e-3) ** 2
    ra = (12194.0**2 * f2**2) / ((f2 + 20.6**2) * np.sqrt((f2 + 107.7**2) * (f2 + 737.9**2)) * (f2 + 12194.0**2))
    return 20.0 * np.log10(ra) + 2.0


def loudness_db(y: np.ndarray, sample_rate: int = SAMPLE_RATE, hop: int = HOP) -> np.ndarray:
    """A-weighted loudness (dB, float32) of 1-D ``y`` per frame centred at ``k * hop``; ``1 + len(y)//hop`` frames."""
    y = np.asarray(y, np.float32)
    n_frames = 1 + len(y) // hop
    pad = LOUDNESS_NFFT // 2
    x = np.pad(y, (pad, pad + LOUDNESS_NFFT))
    idx = np.arange(n_frames)[:, None] * hop + np.arange(LOUDNESS_NFFT)[None, :]
    win = np.hanning(LOUDNESS_NFFT).astype(np.float32)
    spec = np.fft.rfft(x[idx] * win, axis=1)
    power = (np.abs(spec) ** 2) / (win.sum() ** 2 / 4.0)  # a full-scale sine -> ~0 dB
    weight = 10.0 ** (a_weighting_db(np.fft.rfftfreq(LOUDNESS_NFFT, 1.0 / sample_rate)) / 10.0)
    total = (power * weight).sum(axis=1)
    return np.maximum(10.0 * np.log10(np.maximum(total, 1e-12)), SILENCE_DB).astype(np.float32)


def fill_unvoiced(f0: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """f0 with unvoiced frames filled from the nearest voiced ones (keeps the oscillators on a sensible pitch)."""
    f0 = np.asarray(f0, np.float32).copy()
    if voiced.any():
        idx = np.arange(len(f0))
        f0[~voiced] = np.interp(idx[~voiced], idx[voiced], f0[voiced])
    else:
        f0[:] = 220.0
    return f0


def estimate_f0(y: np.ndarray, ctx=None, fmin: float = 50.0, fmax: float = 2000.0,
                threshold: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """(f0 Hz, voiced) per frame of 16 kHz ``y`` with FCPE (the pitch plugin's estimator, loaded once per device)."""
    from workbench.core.plugin_api import JobContext
    from workbench_plugins.pitch.estimators import load_estimator

    ctx = ctx or JobContext()
    est = load_estimator("fcpe", ctx, HOP)
    n_frames = 1 + len(y) // HOP
    f0s, confs = [], []
    # Chunks of 20 s with 2 s context keep memory bounded on long recordings.
    chunk, ctx_n = 20 * SAMPLE_RATE, 2 * SAMPLE_RATE
    for start in range(0, max(1, len(y)), chunk):
        a = max(0, start - ctx_n)
        seg = y[a: min(len(y), start + chunk + ctx_n)]
        f0, conf = est.estimate(np.ascontiguousarray(seg, np.float32), fmin, fmax)
        first, count = (start - a) // HOP, min(chunk // HOP, n_frames - start // HOP)
        f0s.append(f0[first:first + count]), confs.append(conf[first:first + count])
        if ctx is not None:
            ctx.check_cancelled()
    f0, conf = np.concatenate(f0s)[:n_frames], np.concatenate(confs)[:n_frames]
    if len(f0) < n_frames:
        f0 = np.pad(f0, (0, n_frames - len(f0)), mode="edge")
        conf = np.pad(conf, (0, n_frames - len(conf)))
    return f0.astype(np.float32), conf >= threshold
