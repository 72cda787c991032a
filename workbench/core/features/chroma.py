"""Pitch-class features for music description (key, chords): tuned log-CQT, treble and bass chroma, beat sync.

Built on the shared torch CQT (:func:`workbench.core.features.cqt_magnitude`, 36 bins per octave from C1). Steps,
in the spirit of Chordino's NNLS chroma but without its dictionary: the CQT is tuned to the recording (librosa's
tuning estimate), drums are removed by harmonic/percussive median filtering, each frame is log-compressed and
whitened along frequency (running mean and spread over one octave) so that partials stand out of the spectral
envelope, then folded into semitones and into two chromas: *treble* (C3-B6) for the chord's pitch classes and
*bass* (E1-E3) for its root. Frames are ``HOP`` samples apart at ``SAMPLE_RATE``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 22050  # Hz
HOP = 512  # samples (~23 ms)
BINS_PER_OCTAVE = 36
OCTAVES = 7  # C1 .. B7
C1_HZ = 32.70319566257483
TREBLE = (48, 96)  # MIDI range of the treble chroma (C3 .. B6)
BASS = (28, 52)  # MIDI range of the bass chroma (E1 .. D#3)


@dataclass
class ChromaFrames:
    """Frame-level pitch features of one signal."""

    times: np.ndarray  # (frames,) s, frame centres
    treble: np.ndarray  # (frames, 12) >= 0, pitch class 0 = C
    bass: np.ndarray  # (frames, 12) >= 0
    energy: np.ndarray  # (frames,) RMS of the signal around each frame, for "no chord" decisions
    tuning: float  # semitones the recording sits above A440 equal temperament (-0.5 .. 0.5)


def _running_mean(x: np.ndarray, width: int) -> np.ndarray:
    """Mean over ``width`` neighbouring rows (axis 0), edges by reflection."""
    from scipy.ndimage import uniform_filter1d

    return uniform_filter1d(x, size=width, axis=0, mode="reflect")


def semitone_spectrum(y: np.ndarray, sr: int = SAMPLE_RATE, device: str = "cpu"):
    """(times s, spectrum (frames, 84 semitones from C1), tuning in semitones) of mono ``y`` at 22.05 kHz."""
    import librosa

    from . import SpectrogramSettings, cqt_magnitude

    y = np.asarray(y, np.float32)
    tuning = float(librosa.estimate_tuning(y=y, sr=sr, bins_per_octave=BINS_PER_OCTAVE)) if y.any() else 0.0
    settings = SpectrogramSettings(kind="cqt", hop=HOP, fmin=C1_HZ * 2 ** (tuning / 12),
                                   bins_per_octave=BINS_PER_OCTAVE, n_bins=BINS_PER_OCTAVE * OCTAVES)
    mag = cqt_magnitude(y, sr, settings, device).cpu().numpy()  # (bins, frames)
    harmonic, _ = librosa.decompose.hpss(mag, kernel_size=(31, 9), margin=1.0)
    log = np.log1p(1000.0 * harmonic / max(float(harmonic.max()), 1e-9))  # (bins, frames)
    # whitening along frequency: peaks above the local (one-octave) envelope, in units of its spread
    mean = _running_mean(log, BINS_PER_OCTAVE)
    spread = np.sqrt(np.maximum(_running_mean((log - mean) ** 2, BINS_PER_OCTAVE), 1e-9))
    white = np.maximum(log - mean, 0.0) / np.maximum(spread, 0.1 * float(spread.mean()) + 1e-9)
    bins = white.shape[0] // 3 * 3
    # semitone k covers CQT bins 3k-1, 3k, 3k+1 (bin 3k is the tuned semitone centre)
    padded = np.vstack([np.zeros((1, white.shape[1])), white[:bins]])
    semis = np.maximum(padded[1::3], 0.5 * (padded[0:-1:3] + padded[2::3]))
    times = np.arange(white.shape[1]) * HOP / sr
    frames = librosa.util.frame(np.pad(y, (HOP * 2, HOP * 2)), frame_length=HOP * 4, hop_length=HOP)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=0))[: len(times)]
    rms = np.pad(rms, (0, len(times) - len(rms)))
    return times, suppress_partials(semis.T.astype(np.float32)), rms, tuning


PARTIALS = ((12, 0.45), (19, 0.3), (24, 0.2), (28, 0.35))  # (semitones above, relative level): partials 2-5


def suppress_partials(semis: np.ndarray, partials=PARTIALS) -> np.ndarray:
    """Greedy harmonic subtraction, low to high: each semitone's expected upper partials are taken out of the
    semitones above it (an inexpensive stand-in for NNLS transcription; the 5th partial of a bass note would
    otherwise add a major third to every chord)."""
    out = semis.copy()
    n = out.shape[1]
    for k in range(n):
        for off, level in partials:
            if k + off < n:
                out[:, k + off] = np.maximum(out[:, k + off] - level * out[:, k], 0.0)
    return out


def fold(semis: np.ndarray, lo: int, hi: int, centre: float | None = None, width: float = 12.0) -> np.ndarray:
    """(frames, 12) chroma of the semitones with MIDI numbers lo..hi-1 (optionally Gaussian-weighted)."""
    midi = np.arange(semis.shape[1]) + 24  # column 0 = C1 = MIDI 24
    w = ((midi >= lo) & (midi < hi)).astype(np.float32)
    if centre is not None:
        w *= np.exp(-0.5 * ((midi - centre) / width) ** 2)
    out = np.zeros((semis.shape[0], 12), np.float32)
    for pc in range(12):
        out[:, pc] = semis[:, (midi % 12 == pc)] @ w[midi % 12 == pc]
    return out


def chroma_frames(y: np.ndarray, sr: int, device: str = "cpu") -> ChromaFrames:
    """Treble and bass chroma of mono ``y`` (any rate; analysed at 22.05 kHz)."""
    from ..resample import resample_array

    if sr != SAMPLE_RATE:
        y = resample_array(np.asarray(y, np.float32)[None], sr, SAMPLE_RATE)[0]
    times, semis, energy, tuning = semitone_spectrum(y, SAMPLE_RATE, device)
    treble = fold(semis, *TREBLE)
    bass = fold(semis, *BASS, centre=38.0, width=8.0)
    return ChromaFrames(times, treble, bass, energy.astype(np.float32), tuning)


def beat_sync(values: np.ndarray, times: np.ndarray, edges: np.ndarray, how: str = "median") -> np.ndarray:
    """Aggregate frame rows into the spans [edges[i], edges[i+1]): (len(edges) - 1, ...) (zeros where empty)."""
    idx = np.searchsorted(times, edges)
    out = np.zeros((max(len(edges) - 1, 0),) + values.shape[1:], np.float32)
    agg = np.median if how == "median" else np.mean
    for i, (a, b) in enumerate(zip(idx[:-1], idx[1:])):
        if b > a:
            out[i] = agg(values[a:b], axis=0)
    return out


def normalise_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero)."""
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.where(n > 1e-9, x / np.maximum(n, 1e-9), 0.0).astype(np.float32)
