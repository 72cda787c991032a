"""Spectra, peaks, notes and intervals, and band-pass filtering (workbench.core.spectrum) on synthesized audio."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.errors import WorkbenchError
from workbench.core.spectrum import (BandFilter, band_limited, find_peak, interval, mean_spectrum, note_and_cents,
                                     spectrum_at)

SR = 22050


def _tones(*freqs, seconds=2.0, amps=None):
    t = np.arange(int(seconds * SR)) / SR
    amps = amps or [0.3] * len(freqs)
    return AudioBuffer(sum(a * np.sin(2 * np.pi * f * t) for f, a in zip(freqs, amps)).astype(np.float32), SR)


def _level(spec, hz):
    return float(spec.db[np.argmin(np.abs(spec.freqs - hz))])


def test_peak_of_a_440_hz_tone_is_440_hz_a4():
    spec = spectrum_at(_tones(440.0), 1.0, n_fft=4096)
    peak = find_peak(spec)
    assert peak.hz == pytest.approx(440.0, abs=0.5)  # a bin is 5.4 Hz: the parabola refines it
    assert (peak.note, abs(peak.cents)) == ("A4", 0)
    assert peak.text().startswith(f"{peak.hz:.1f} Hz · A4")


def test_mean_spectrum_of_a_span_and_band_limited_peak():
    audio = _tones(300.0, 1500.0, amps=[0.5, 0.2])
    spec = mean_spectrum(audio, 0.2, 1.8, n_fft=2048)
    assert spec.frames > 10 and spec.t0 == 0.2
    assert find_peak(spec).hz == pytest.approx(300.0, abs=1.0)
    assert find_peak(spec, 1000, 2000).hz == pytest.approx(1500.0, abs=1.0)
    with pytest.raises(WorkbenchError):
        mean_spectrum(audio, 1.0, 1.0)


def test_notes_and_intervals():
    assert note_and_cents(261.63) == ("C4", 0)
    assert note_and_cents(450.0) == ("A4", 39)  # 1200 * log2(450 / 440) = 38.9 cents
    st, whole, cents = interval(220.0, 330.0)
    assert st == pytest.approx(7.02, abs=0.01) and (whole, cents) == (7, 2)
    assert interval(440.0, 220.0)[1] == -12


def test_band_limited_audio_removes_300_hz_and_keeps_1500_hz():
    audio = _tones(300.0, 1500.0)
    before = mean_spectrum(audio, 0.3, 1.7)
    after = mean_spectrum(band_limited(audio, 1000.0, 2000.0), 0.3, 1.7)
    assert _level(after, 300.0) - _level(before, 300.0) < -60.0
    assert abs(_level(after, 1500.0) - _level(before, 1500.0)) < 1.0


def test_streaming_band_filter_on_blocks():
    audio = _tones(300.0, 1500.0)
    f = BandFilter(1000.0, 2000.0, SR)
    x = audio.samples.T
    y = np.concatenate([f.process(x[i:i + 512]) for i in range(0, len(x), 512)])
    out = AudioBuffer(y.T, SR)
    ref = mean_spectrum(audio, 0.5, 1.8)
    got = mean_spectrum(out, 0.5, 1.8)  # past the filter's start-up
    assert _level(got, 300.0) - _level(ref, 300.0) < -50.0
    assert abs(_level(got, 1500.0) - _level(ref, 1500.0)) < 1.0
    assert BandFilter(0.0, SR / 2, SR).sos is None  # the whole range: nothing to filter
