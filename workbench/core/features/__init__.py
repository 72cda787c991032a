"""Spectrogram features in torch (STFT, mel, CQT) matching librosa, and the frequency axis used to draw them.

Pure Python + torch, no Qt. Units: samples and Hz in, seconds and Hz on the images, dB with a fixed reference.
Settings, images, FrequencyAxis and the row frequencies import without torch; the torch parts load on first use
(so the GUI thread can read settings and map axes without paying for the torch import). The view's column
analysis (columns.py) needs no torch for the STFT on the CPU (cpu_power.py), so a file opened at start-up is
drawn while torch still loads.
"""

from importlib import import_module

from .axis import FrequencyAxis, hz_to_mel, mel_to_hz
from .frequencies import cqt_frequencies, mel_frequencies, row_frequencies, stft_frequencies
from .settings import DB_FLOOR, FREQ_SCALES, KINDS, SpectrogramImage, SpectrogramSettings

_LAZY = {
    "compute_spectrogram": "compute", "ColumnAnalyser": "columns", "power_to_db": "compute",
    "amplitude_to_db": "compute", "stft_power": "stft", "mel_power": "stft", "mel_filterbank": "stft",
    "mel_projector": "stft",
    "cqt_magnitude": "cqt", "CqtPlan": "cqt",
}

__all__ = [
    "SpectrogramSettings", "SpectrogramImage", "FrequencyAxis", "compute_spectrogram", "stft_power", "mel_power",
    "cqt_magnitude", "CqtPlan", "ColumnAnalyser", "mel_filterbank", "mel_projector", "mel_frequencies",
    "stft_frequencies",
    "cqt_frequencies", "row_frequencies", "power_to_db", "amplitude_to_db", "hz_to_mel", "mel_to_hz",
    "KINDS", "FREQ_SCALES", "DB_FLOOR",
]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
