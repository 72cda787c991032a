"""Landmark ("constellation") audio fingerprints for identifying a recording from a short, degraded clip.

After Wang (2003), the Shazam method: the log-magnitude spectrogram of the audio at 8 kHz (the band a phone
microphone passes) is reduced to its local maxima - a constellation of peaks, robust to noise, equalisation and
gain because a peak stays a peak. Each peak (anchor) is paired with a few later peaks in a target zone; a pair
(anchor frequency, target frequency, time difference) packed into 24 bits is the hash, stored with the anchor's
frame. Matching a clip = looking its hashes up and finding a track where many of them agree on one time offset.
Peaks come from the same recording's waveform details, so a different recording of the same work (a cover, a
re-render with other instruments) shares almost no aligned hashes.
"""

from __future__ import annotations

import numpy as np

SAMPLE_RATE = 8000  # Hz
N_FFT = 1024  # 7.8 Hz bins
HOP = 256  # samples: 32 ms frames
FRAME_S = HOP / SAMPLE_RATE
F_LO, F_HI = 300.0, 3800.0  # Hz: the peaks are picked inside the phone band only
PEAK_FREQ_BINS = 25  # neighbourhood of a peak (bins, ~200 Hz) ...
PEAK_FRAMES = 15  # ... and frames (~0.5 s)
PEAKS_PER_S = 12  # at most this many peaks per second are kept (the strongest)
FAN_OUT = 4  # targets paired with each anchor
DT_MIN, DT_MAX = 1, 63  # frames between anchor and target (6 bits)
DF_MAX = 127  # bins between anchor and target frequency (|df| < 128: 8 bits with sign)


def _bins() -> tuple[int, int]:
    return int(F_LO * N_FFT / SAMPLE_RATE), int(F_HI * N_FFT / SAMPLE_RATE)


def spectrogram(y: np.ndarray) -> np.ndarray:
    """(frames, bins in the phone band) log magnitude of mono ``y`` at 8 kHz."""
    from scipy.signal import stft

    lo, hi = _bins()
    _, _, z = stft(y, fs=SAMPLE_RATE, window="hann", nperseg=N_FFT, noverlap=N_FFT - HOP, boundary=None,
                   padded=False)
    mag = np.abs(z[lo:hi]).T.astype(np.float32)
    return np.log(mag + 1e-6)


def peaks(logmag: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(frames, bins) of the constellation: local maxima of ``logmag`` well above the frame's median level."""
    from scipy.ndimage import maximum_filter

    if logmag.size == 0:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    local = maximum_filter(logmag, size=(PEAK_FRAMES, PEAK_FREQ_BINS), mode="constant", cval=-np.inf)
    floor = np.median(logmag, axis=1, keepdims=True) + 1.5  # ~13 dB above the frame's median bin
    t, f = np.nonzero((logmag == local) & (logmag > floor))
    if len(t) == 0:
        return t.astype(np.int32), f.astype(np.int32)
    strength = logmag[t, f] - floor[t, 0]
    # keep the strongest peaks of each second so that loud passages do not flood the index
    per = int(round(1.0 / FRAME_S))
    keep = np.zeros(len(t), bool)
    for s in range(0, int(t.max()) + 1, per):
        idx = np.flatnonzero((t >= s) & (t < s + per))
        keep[idx[np.argsort(-strength[idx])[:PEAKS_PER_S]]] = True
    order = np.lexsort((f[keep], t[keep]))
    return t[keep][order].astype(np.int32), f[keep][order].astype(np.int32)


def hashes(t: np.ndarray, f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(24-bit hashes uint32, anchor frames int32) of peak pairs: f1 (9 bits) | df + 128 (8 bits) | dt (6 bits)."""
    hs, offs = [], []
    n = len(t)
    for k in range(1, FAN_OUT * 4 + 1):  # candidates k peaks later, until FAN_OUT per anchor are found
        if k >= n:
            break
        dt = t[k:] - t[:-k]
        df = f[k:] - f[:-k]
        ok = (dt >= DT_MIN) & (dt <= DT_MAX) & (np.abs(df) <= DF_MAX)
        hs.append(((f[:-k][ok].astype(np.uint32) & 0x1FF) << 15) | ((df[ok] + 128).astype(np.uint32) << 6)
                  | dt[ok].astype(np.uint32))
        offs.append(np.column_stack([t[:-k][ok], np.full(ok.sum(), k)]))
    if not hs:
        return np.zeros(0, np.uint32), np.zeros(0, np.int32)
    h, o = np.concatenate(hs), np.concatenate(offs)
    # FAN_OUT nearest qualifying targets per anchor (smallest k first)
    order = np.lexsort((o[:, 1], o[:, 0]))
    h, o = h[order], o[order]
    first = np.r_[0, np.flatnonzero(np.diff(o[:, 0])) + 1]
    rank = np.arange(len(o)) - np.repeat(first, np.diff(np.r_[first, len(o)]))
    sel = rank < FAN_OUT
    return h[sel], o[sel, 0].astype(np.int32)


def fingerprint(samples: np.ndarray, sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(hashes uint32, anchor frames int32; frame k is at ``k * FRAME_S`` s) of a mono signal at any rate."""
    from workbench.core.resample import resample_array

    y = resample_array(np.asarray(samples, np.float32)[None], sample_rate, SAMPLE_RATE)[0]
    t, f = peaks(spectrogram(y))
    return hashes(t, f)
