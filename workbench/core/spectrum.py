"""Spectra for inspecting one moment or a span, peaks with note names, intervals, and band-pass filtering.

Pure Python (numpy, scipy, torch through ``workbench.core.features``); no Qt. Times are seconds on the buffer's
own clock (callers subtract a track's offset), frequencies Hz, levels dB of librosa-scaled power
(10*log10(max(|STFT|**2, 1e-10)), the same reference as the spectrogram images). Safe to call from any thread.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .audio import AudioBuffer
from .errors import InvalidParameterError, WorkbenchError

NOTE_NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
POWER_FLOOR = 1e-10


@dataclass(frozen=True)
class Spectrum:
    """``db[k]`` is the level at ``freqs[k]`` Hz, over the span ``t0``..``t1`` s (one frame: t0 == t1)."""

    freqs: np.ndarray
    db: np.ndarray
    t0: float
    t1: float
    frames: int = 1


@dataclass(frozen=True)
class Peak:
    hz: float
    db: float

    @property
    def note(self) -> str:
        return note_and_cents(self.hz)[0]

    @property
    def cents(self) -> int:
        return note_and_cents(self.hz)[1]

    def text(self) -> str:
        """``440.0 Hz · A4 +0 c · -6.0 dB``."""
        name, cents = note_and_cents(self.hz)
        return f"{self.hz:.1f} Hz · {name} {cents:+d} c · {self.db:.1f} dB"


def note_and_cents(hz: float) -> tuple[str, int]:
    """Nearest equal-tempered note (A4 = 440 Hz) and the deviation from it in cents, e.g. ``("A4", 3)``."""
    if not (np.isfinite(hz) and hz > 0):
        return "", 0
    midi = 69 + 12 * math.log2(hz / 440.0)
    n = int(round(midi))
    return f"{NOTE_NAMES[n % 12]}{n // 12 - 1}", int(round((midi - n) * 100))


def interval(f1: float, f2: float) -> tuple[float, int, int]:
    """From ``f1`` to ``f2`` Hz: (semitones as a float, whole semitones, remaining cents in -50..50)."""
    if not (f1 > 0 and f2 > 0):
        raise InvalidParameterError("an interval needs two positive frequencies")
    st = 12 * math.log2(f2 / f1)
    whole = int(round(st))
    return st, whole, int(round((st - whole) * 100))


def _frames(audio: AudioBuffer, channel: int | None, centres: np.ndarray, n_fft: int) -> np.ndarray:
    """(len(centres), n_fft) frames of one channel or the mono mix, centred on sample ``centres``, zeros outside
    the signal. Only the frames' samples are mixed: a spectrum of an hour-long file never copies the hour."""
    s = audio.samples
    rows = s[channel:channel + 1] if channel is not None and 0 <= channel < audio.channels else s
    n = rows.shape[1]
    starts = np.asarray(centres, dtype=np.int64) - n_fft // 2
    pos = starts[:, None] + np.arange(n_fft)[None, :]
    ok = (pos >= 0) & (pos < n)
    out = np.zeros(pos.shape, np.float32)
    if n:
        mixed = rows[:, np.clip(pos, 0, n - 1)].mean(axis=0, dtype=np.float32)
        out[ok] = mixed[ok]
    return out


def _power(frames: np.ndarray, n_fft: int, window: str) -> np.ndarray:
    """|FFT|**2 of cut frames -> (n_fft//2 + 1, frames) with the features' window (the one STFT code)."""
    import torch

    from .features import SpectrogramSettings
    from .features.stft import frames_power

    settings = SpectrogramSettings(kind="stft", n_fft=n_fft, window=window)
    with torch.no_grad():
        return frames_power(torch.from_numpy(frames), settings).cpu().numpy()


def _check(audio: AudioBuffer | None, n_fft: int) -> None:
    if audio is None or audio.num_samples == 0:
        raise WorkbenchError("There is no audio to take a spectrum of.")
    if n_fft < 16 or n_fft & (n_fft - 1):
        raise InvalidParameterError(f"the spectrum size must be a power of two >= 16 (got {n_fft})")


def spectrum_at(audio: AudioBuffer, t: float, n_fft: int = 4096, window: str = "hann",
                channel: int | None = None) -> Spectrum:
    """Spectrum of one ``n_fft``-sample frame centred on ``t`` s (zeros beyond the ends)."""
    _check(audio, n_fft)
    centre = int(round(t * audio.sample_rate))
    power = _power(_frames(audio, channel, np.array([centre]), n_fft), n_fft, window)[:, 0]
    freqs = np.arange(n_fft // 2 + 1) * (audio.sample_rate / n_fft)
    return Spectrum(freqs, 10 * np.log10(np.maximum(power, POWER_FLOOR)), float(t), float(t), 1)


def mean_spectrum(audio: AudioBuffer, t0: float, t1: float, n_fft: int = 4096, window: str = "hann",
                  channel: int | None = None, max_frames: int = 256) -> Spectrum:
    """Mean power spectrum of the span ``t0``..``t1`` s (Welch-like: frames hop n_fft/2, at most ``max_frames``
    of them spread evenly, so a long selection costs no more than a short one)."""
    _check(audio, n_fft)
    if t1 <= t0:
        raise WorkbenchError("Select a time span first: the mean spectrum needs a selection.")
    sr = audio.sample_rate
    a, b = int(round(t0 * sr)), int(round(t1 * sr))
    hop = n_fft // 2
    n = max(1, (b - a) // hop)
    centres = a + hop // 2 + hop * np.arange(n) if b - a >= n_fft else np.array([(a + b) // 2])
    if len(centres) > max_frames:
        centres = centres[np.linspace(0, len(centres) - 1, max_frames).round().astype(int)]
    power = _power(_frames(audio, channel, centres, n_fft), n_fft, window).mean(axis=1)
    freqs = np.arange(n_fft // 2 + 1) * (sr / n_fft)
    return Spectrum(freqs, 10 * np.log10(np.maximum(power, POWER_FLOOR)), float(t0), float(t1), len(centres))


def find_peak(spec: Spectrum, fmin: float = 20.0, fmax: float | None = None) -> Peak | None:
    """The strongest bin between ``fmin`` and ``fmax`` Hz, refined by a parabola through its neighbours in dB
    (accurate to a small fraction of a bin for a steady tone); None when the band is empty."""
    f, db = spec.freqs, spec.db
    sel = np.flatnonzero((f >= fmin) & (f <= (fmax if fmax else f[-1])))
    if sel.size == 0:
        return None
    k = int(sel[np.argmax(db[sel])])
    if 0 < k < len(db) - 1:
        a, b, c = float(db[k - 1]), float(db[k]), float(db[k + 1])
        den = a - 2 * b + c
        p = 0.5 * (a - c) / den if den < 0 else 0.0
        step = float(f[1] - f[0])
        return Peak(float(f[k] + p * step), float(b - 0.25 * (a - c) * p))
    return Peak(float(f[k]), float(db[k]))


# ----- band-pass filtering -------------------------------------------------------------------------------
def band_sos(lo_hz: float, hi_hz: float, sample_rate: int, order: int = 8) -> np.ndarray | None:
    """Butterworth second-order sections passing ``lo_hz``..``hi_hz``: a low-pass when lo is ~0, a high-pass
    when hi reaches Nyquist, None when the band is the whole range (nothing to filter)."""
    from scipy.signal import butter

    nyq = sample_rate / 2.0
    lo, hi = max(0.0, float(lo_hz)), min(float(hi_hz), nyq)
    if hi <= lo:
        raise InvalidParameterError(f"the band {lo_hz:g}-{hi_hz:g} Hz is empty")
    low_open, high_open = lo < 10.0, hi > 0.98 * nyq
    if low_open and high_open:
        return None
    if low_open:
        return butter(order, hi, btype="lowpass", fs=sample_rate, output="sos")
    if high_open:
        return butter(order, lo, btype="highpass", fs=sample_rate, output="sos")
    return butter(order // 2 or 1, [lo, hi], btype="bandpass", fs=sample_rate, output="sos")


class BandFilter:
    """Streaming band-pass for playback blocks (frames, channels): keeps the filter state between blocks, so
    consecutive blocks join without clicks. ``reset()`` after a seek. Used by one thread at a time."""

    def __init__(self, lo_hz: float, hi_hz: float, sample_rate: int, order: int = 8):
        self.band = (float(lo_hz), float(hi_hz))
        self.sos = band_sos(lo_hz, hi_hz, sample_rate, order)
        self._zi: np.ndarray | None = None

    def reset(self) -> None:
        self._zi = None

    def process(self, block: np.ndarray) -> np.ndarray:
        from scipy.signal import sosfilt, sosfilt_zi

        if self.sos is None or block.size == 0:
            return block
        x = np.asarray(block, dtype=np.float64)
        if self._zi is None or self._zi.shape[2] != x.shape[1]:
            self._zi = np.repeat(sosfilt_zi(self.sos)[:, :, None], x.shape[1], axis=2) * 0.0
        y, self._zi = sosfilt(self.sos, x, axis=0, zi=self._zi)
        return y.astype(np.float32)


def band_limited(audio: AudioBuffer, lo_hz: float, hi_hz: float, order: int = 8) -> AudioBuffer:
    """``audio`` with only ``lo_hz``..``hi_hz`` kept (zero-phase, so events stay where they were in time)."""
    from scipy.signal import sosfiltfilt

    sos = band_sos(lo_hz, hi_hz, audio.sample_rate, order)
    if sos is None or audio.num_samples == 0:
        return audio
    if audio.num_samples <= 3 * (2 * len(sos) + 1):
        raise WorkbenchError("The box is too short to filter; draw a longer one.")
    y = sosfiltfilt(sos, np.asarray(audio.samples, dtype=np.float64), axis=-1).astype(np.float32)
    return AudioBuffer.adopt(y, audio.sample_rate, source=audio.source, name=audio.name, warnings=audio.warnings)
