"""Per-track analysis for cover search: CQT chroma, key-invariant 2D Fourier embedding, global chroma profile.

Chroma comes from a 7-octave constant-Q transform (librosa, 36 bins per octave folded to 12 pitch classes).
Frames are averaged to ``FRAME_RATE`` (~2.7 per s) for alignment; the retrieval embedding is the median 2D Fourier
transform magnitude of beat-synchronous chroma patches, which ignores circular shifts of the pitch axis
(transposition) and the patch's position in time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 22050  # Hz: analysis rate
CQT_HOP = 2048  # samples (~93 ms)
POOL = 4  # CQT frames averaged into one alignment frame
FRAME_RATE = SAMPLE_RATE / (CQT_HOP * POOL)  # alignment frames per second (~2.69)
PATCH_BEATS = 32  # beats per 2D-Fourier patch
PATCH_HOP = 4  # beats between patches
EMBEDDING_DIM = 12 * (PATCH_BEATS // 2 + 1)
MIN_SECONDS = 3.0


@dataclass
class TrackFeatures:
    """What the library stores per track."""

    chroma: np.ndarray  # (frames, 12) float32, L2-normalised rows, FRAME_RATE frames per s
    beat_chroma: np.ndarray  # (beats, 12) float32
    embedding: np.ndarray  # (EMBEDDING_DIM,) float32, L2-normalised
    profile: np.ndarray  # (12,) float32 global chroma (sum-normalised), for the optimal transposition index
    duration: float  # seconds
    tempo: float  # beats per minute (estimate)

    def to_npz_dict(self) -> dict[str, np.ndarray]:
        return {"chroma": self.chroma.astype(np.float16), "beat_chroma": self.beat_chroma.astype(np.float16),
                "profile": self.profile, "meta": np.array([self.duration, self.tempo], np.float64)}

    @classmethod
    def from_npz_dict(cls, d, embedding: np.ndarray) -> "TrackFeatures":
        return cls(np.asarray(d["chroma"], np.float32), np.asarray(d["beat_chroma"], np.float32), embedding,
                   np.asarray(d["profile"], np.float32), float(d["meta"][0]), float(d["meta"][1]))


def _l2rows(x: np.ndarray) -> np.ndarray:
    return (x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-9)).astype(np.float32)


def cqt_chroma(y: np.ndarray, sr: int = SAMPLE_RATE) -> np.ndarray:
    """(cqt_frames, 12) chroma (max-normalised per frame) from a log-compressed CQT, CQT_HOP samples apart."""
    import librosa

    c = np.abs(librosa.cqt(y, sr=sr, hop_length=CQT_HOP, fmin=librosa.note_to_hz("C1"), n_bins=36 * 7,
                           bins_per_octave=36))
    c = np.log1p(100.0 * c / max(float(c.max()), 1e-9))  # loudness-robust compression
    return librosa.feature.chroma_cqt(C=c, sr=sr, hop_length=CQT_HOP, bins_per_octave=36, n_chroma=12).T


def two_d_fourier_embedding(beat_chroma: np.ndarray) -> np.ndarray:
    """Median |FFT2| of PATCH_BEATS-beat chroma patches, power-compressed and L2-normalised (EMBEDDING_DIM,)."""
    n = len(beat_chroma)
    if n < PATCH_BEATS:  # short tracks: tile to one patch
        reps = int(np.ceil(PATCH_BEATS / max(n, 1)))
        beat_chroma = np.tile(beat_chroma if n else np.zeros((1, 12)), (reps, 1))[:PATCH_BEATS]
        n = PATCH_BEATS
    starts = np.arange(0, n - PATCH_BEATS + 1, PATCH_HOP)
    patches = np.stack([beat_chroma[s:s + PATCH_BEATS].T for s in starts])  # (P, 12, beats)
    mag = np.abs(np.fft.fft2(patches, axes=(1, 2)))[..., : PATCH_BEATS // 2 + 1]  # real input: one half suffices
    emb = np.median(mag, axis=0).ravel() ** 0.5
    return _l2rows(emb[None])[0]


def analyse_samples(y: np.ndarray, sr: int) -> TrackFeatures:
    """Features of mono float32 ``y`` at ``sr`` Hz (resampled to 22.05 kHz)."""
    import librosa

    from workbench.core.errors import WorkbenchError
    from workbench.core.resample import resample_array

    y = np.asarray(y, np.float32)
    if sr != SAMPLE_RATE:
        y = resample_array(y[None], sr, SAMPLE_RATE)[0]
    duration = len(y) / SAMPLE_RATE
    if duration < MIN_SECONDS:
        raise WorkbenchError(f"Too short for cover search ({duration:.1f} s; at least {MIN_SECONDS:g} s)")
    chroma = cqt_chroma(y)
    n = len(chroma) // POOL * POOL
    pooled = chroma[:n].reshape(-1, POOL, 12).mean(axis=1) if n else chroma
    onset = librosa.onset.onset_strength(y=y, sr=SAMPLE_RATE, hop_length=CQT_HOP // 4)
    tempo, beats = librosa.beat.beat_track(onset_envelope=onset, sr=SAMPLE_RATE, hop_length=CQT_HOP // 4,
                                           start_bpm=110.0, units="time")
    beat_frames = np.unique(np.clip((np.asarray(beats) * SAMPLE_RATE / CQT_HOP).astype(int), 0, len(chroma) - 1))
    if len(beat_frames) >= 4:
        edges = np.concatenate([[0], beat_frames, [len(chroma)]])
        beat_chroma = np.stack([chroma[a:b].mean(axis=0) for a, b in zip(edges[:-1], edges[1:]) if b > a])
    else:  # no beat found: fixed 0.5 s "beats"
        step = max(1, int(round(0.5 * SAMPLE_RATE / CQT_HOP)))
        beat_chroma = np.stack([chroma[i:i + step].mean(axis=0) for i in range(0, len(chroma), step)])
    profile = chroma.sum(axis=0)
    profile = (profile / max(float(profile.sum()), 1e-9)).astype(np.float32)
    return TrackFeatures(_l2rows(pooled), _l2rows(beat_chroma), two_d_fourier_embedding(_l2rows(beat_chroma)),
                         profile, duration, float(np.atleast_1d(tempo)[0]))
