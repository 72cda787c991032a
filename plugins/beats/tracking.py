"""Beat, tempo, meter and downbeat estimation (plain DSP, no trained weights).

Beats: librosa's dynamic-programming tracker (Ellis 2007) on a spectral-flux onset envelope, with the global tempo
from the envelope's autocorrelation under a log-normal prior around 120 BPM. Meter and downbeats: per beat, the
low-frequency onset strength (kick drum, bass notes) and the harmonic change (chroma distance to the previous
beat); the (beats per bar, phase) whose beats carry the most of both wins, as bars start on kicks and chord changes.
Times are in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SAMPLE_RATE = 22050  # Hz
ONSET_HOP = 256  # samples (~11.6 ms)
METERS = (3, 4)  # beats per bar that are tried
LOW_HZ = 180.0  # mel bands below this make the low-frequency onset envelope


@dataclass
class BeatGrid:
    beats: np.ndarray  # (n,) s
    positions: np.ndarray  # (n,) 1-based position in the bar (1 = downbeat)
    meter: int  # beats per bar (0 when too few beats to tell)
    bpm: float  # global tempo, beats per minute
    confidence: float  # 0..1: how regular the beats are (1 - spread of the inter-beat intervals)

    @property
    def downbeats(self) -> np.ndarray:
        return self.beats[self.positions == 1]


def onset_envelopes(y: np.ndarray, sr: int = SAMPLE_RATE) -> tuple[np.ndarray, np.ndarray]:
    """(full-band, low-band) onset strength, one value per ONSET_HOP samples."""
    import librosa

    mel = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=2048, hop_length=ONSET_HOP, n_mels=96, fmax=sr / 2)
    db = librosa.power_to_db(mel, ref=np.max)
    full = librosa.onset.onset_strength(S=db, sr=sr, hop_length=ONSET_HOP, aggregate=np.median)
    low_bands = librosa.mel_frequencies(n_mels=96, fmax=sr / 2) < LOW_HZ
    low = librosa.onset.onset_strength(S=db[low_bands], sr=sr, hop_length=ONSET_HOP)
    return full, low


def track_beats(envelope: np.ndarray, sr: int = SAMPLE_RATE, start_bpm: float = 120.0) -> tuple[np.ndarray, float]:
    """(beat times s, global tempo BPM) from an onset envelope."""
    import librosa

    tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=envelope, sr=sr, hop_length=ONSET_HOP,
                                                       start_bpm=start_bpm, std_bpm=1.0, max_tempo=240.0))[0])
    _, beats = librosa.beat.beat_track(onset_envelope=envelope, sr=sr, hop_length=ONSET_HOP, bpm=tempo,
                                       tightness=100, units="time", trim=True)
    return np.asarray(beats, np.float64), tempo


def _per_beat(envelope: np.ndarray, beats: np.ndarray, sr: int, width_s: float = 0.07) -> np.ndarray:
    """Max of ``envelope`` within +-width_s of each beat."""
    frames = np.round(beats * sr / ONSET_HOP).astype(int)
    w = max(1, int(round(width_s * sr / ONSET_HOP)))
    return np.array([envelope[max(0, f - w):f + w + 1].max(initial=0.0) for f in frames])


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() + 1e-9) if len(x) else x


def meter_and_phase(beat_features: np.ndarray, meters=METERS) -> tuple[int, int, float]:
    """(beats per bar, index of the first downbeat, contrast) maximising the feature on downbeats.

    ``beat_features``: (n,) a z-scored "a bar starts here" score per beat. Contrast = mean on downbeats minus
    mean on the other beats; a meter must beat the best of the others by a margin to be preferred over 4.
    """
    best = (0, 0, -np.inf)
    for m in meters:
        if len(beat_features) < 2 * m:
            continue
        for p in range(m):
            on = np.zeros(len(beat_features), bool)
            on[p::m] = True
            contrast = float(beat_features[on].mean() - beat_features[~on].mean())
            if m == 4:
                contrast += 0.05  # common time is the usual meter: small prior
            if contrast > best[2]:
                best = (m, p, contrast)
    return best


def beat_grid(y: np.ndarray, sr: int, beat_chroma_fn=None, start_bpm: float = 120.0) -> BeatGrid:
    """Beats, meter, downbeats and tempo of mono ``y`` at 22.05 kHz.

    ``beat_chroma_fn(edges) -> (len(edges) - 1, 12)`` gives chroma between beat times (for harmonic change);
    without it only the low-frequency onsets decide the downbeats.
    """
    full, low = onset_envelopes(y, sr)
    beats, tempo = track_beats(full, sr, start_bpm)
    if len(beats) < 2:
        return BeatGrid(beats, np.ones(len(beats), int), 0, tempo, 0.0)
    ibi = np.diff(beats)
    # tempo from the least-squares slope of beat time against beat index (steadier than any single interval)
    slope = float(np.polyfit(np.arange(len(beats)), beats, 1)[0]) if len(beats) >= 3 else float(ibi[0])
    bpm = 60.0 / slope if slope > 0 else tempo
    confidence = float(np.clip(1.0 - np.std(ibi) / max(np.median(ibi), 1e-9) * 4, 0.0, 1.0))
    feature = _z(_per_beat(low, beats, sr))
    if beat_chroma_fn is not None:
        edges = np.concatenate([beats, [beats[-1] + ibi[-1]]])
        chroma = beat_chroma_fn(edges)
        norm = chroma / np.maximum(np.linalg.norm(chroma, axis=1, keepdims=True), 1e-9)
        change = np.concatenate([[0.0], 1.0 - np.sum(norm[1:] * norm[:-1], axis=1)])
        feature = feature + 1.5 * _z(change)
    meter, phase, _ = meter_and_phase(feature)
    if meter == 0:
        return BeatGrid(beats, np.ones(len(beats), int), 0, bpm, confidence)
    positions = (np.arange(len(beats)) - phase) % meter + 1
    return BeatGrid(beats, positions.astype(int), meter, bpm, confidence)


def tempo_curve(beats: np.ndarray, smooth_beats: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """(times s, local tempo BPM): inter-beat intervals median-smoothed over ``smooth_beats`` beats."""
    if len(beats) < 2:
        return np.zeros(0), np.zeros(0)
    from scipy.signal import medfilt

    ibi = np.diff(beats)
    k = min(smooth_beats, len(ibi) if len(ibi) % 2 else len(ibi) - 1)
    smooth = medfilt(ibi, kernel_size=max(1, k)) if k > 1 else ibi
    return beats[:-1] + ibi / 2, 60.0 / smooth


def click_track(beats: np.ndarray, positions: np.ndarray, sr: int, length: int) -> np.ndarray:
    """Short clicks at the beats (downbeats an octave higher), ``length`` samples of float32 audio."""
    import librosa

    out = np.zeros(length, np.float32)
    for sel, freq in ((positions == 1, 1760.0), (positions != 1, 880.0)):
        if sel.any():
            out += librosa.clicks(times=beats[sel], sr=sr, click_freq=freq, click_duration=0.06, length=length)
    return out
