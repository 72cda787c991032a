"""ONE mel filterbank and dB scale: the live spectrogram's columns equal the file view's (same frame centres)."""

import numpy as np
import pytest

from workbench.core.features import SpectrogramSettings, compute_spectrogram
from workbench.live.spectrogram import LiveSpectrogram


@pytest.mark.parametrize("kind", ["mel", "stft"])
@pytest.mark.parametrize("sr", [22050, 48000])
def test_live_columns_equal_the_file_spectrogram(kind, sr):
    rng = np.random.default_rng(3)
    t = np.arange(2 * sr) / sr
    x = (0.3 * np.sin(2 * np.pi * 700 * t) + 0.05 * rng.standard_normal(len(t))).astype(np.float32)
    live = LiveSpectrogram(sr, n_fft=2048, hop=512, kind=kind)
    cols = np.concatenate([live.push(x[i:i + 700]) for i in range(0, len(x), 700)])  # odd-sized blocks
    ref = compute_spectrogram(x, sr, SpectrogramSettings(kind=kind, n_fft=2048, hop=512)).db
    shift = 2048 // (2 * 512)  # live column k is centred at k * hop + n_fft / 2: file column k + 2
    n = len(cols)
    assert n > 50 and n + shift <= ref.shape[1]
    np.testing.assert_allclose(cols.T, ref[:, shift:shift + n], atol=0.05)
    np.testing.assert_allclose(live.frequencies, compute_spectrogram(x[:4096], sr, live.settings).freqs, rtol=1e-6)
    assert abs(live.column_time(0) - shift * 512 / sr) < 1e-9
