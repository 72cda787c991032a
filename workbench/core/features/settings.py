"""Spectrogram settings and the image a spectrogram computation returns (plain data, no torch)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KINDS = ("stft", "mel", "cqt")
FREQ_SCALES = ("linear", "log", "auto")

# dB floors: power spectra use amin=1e-10 (librosa.power_to_db), CQT magnitudes amin=1e-5 (amplitude_to_db).
DB_FLOOR = -100.0


@dataclass(frozen=True)
class SpectrogramSettings:
    """What to compute and how to show it.

    kind: "stft" | "mel" | "cqt". n_fft, hop in samples; fmin/fmax in Hz (fmax None = Nyquist for stft/mel;
    for CQT the top is fmin * 2**((n_bins-1)/bins_per_octave), clipped to what fits below Nyquist).
    freq_scale: display mapping, "auto" = linear for stft, mel for mel, log for cqt. db_range: dB shown below the
    top; colormap: a name the GUI understands. Only the analysis fields take part in cache keys.
    """

    kind: str = "stft"
    n_fft: int = 2048
    hop: int = 512
    window: str = "hann"
    n_mels: int = 128
    fmin: float = 32.70
    fmax: float | None = None
    bins_per_octave: int = 36
    n_bins: int = 252
    freq_scale: str = "auto"
    db_range: float = 80.0
    colormap: str = "magma"

    def analysis_key(self) -> tuple:
        """The fields that change the computed values (not hop: the view picks its own)."""
        if self.kind == "stft":
            return ("stft", self.n_fft, self.window)
        if self.kind == "mel":
            return ("mel", self.n_fft, self.window, self.n_mels, float(self.fmin), self.fmax)
        if self.kind == "cqt":
            return ("cqt", float(self.fmin), self.bins_per_octave, self.n_bins)
        raise ValueError(f"unknown spectrogram kind {self.kind!r}; expected one of {KINDS}")

    def display_scale(self) -> str:
        """'linear', 'log' or 'mel': how rows are spaced on screen."""
        if self.freq_scale == "auto":
            return {"stft": "linear", "mel": "mel", "cqt": "log"}[self.kind]
        return self.freq_scale


@dataclass(frozen=True)
class SpectrogramImage:
    """A block of spectrogram columns ready to draw.

    times: (cols,) centre time of each column in seconds (file clock). freqs: (rows,) centre frequency of each row
    in Hz, ascending. db: (rows, cols) float32 in dB with a FIXED reference (not the maximum), so tiles and views
    agree with each other: stft/mel are 10*log10(max(power, 1e-10)) of librosa-scaled power (librosa.power_to_db
    with ref=1.0), cqt is 20*log10(max(|C|, 1e-5)) of librosa-scaled magnitude (amplitude_to_db with ref=1.0).
    A full-scale sine is about +54 dB on a 2048-point STFT. t0, t1: time span covered, seconds.
    complete: False for a progressive preview in which some columns are still at DB_FLOOR (being computed).
    """

    kind: str
    times: np.ndarray
    freqs: np.ndarray
    db: np.ndarray
    t0: float
    t1: float
    complete: bool = True

    @property
    def shape(self) -> tuple[int, int]:
        return self.db.shape
