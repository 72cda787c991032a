"""A matched recording at another tempo is stretched onto the query's clock."""

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.errors import WorkbenchError
from workbench.core.time_align import align_to_query, linear_time_map

SR = 16000


def clicks(times, duration, sr=SR):
    x = np.zeros(int(duration * sr), np.float32)
    for t in times:
        i = int(t * sr)
        x[i:i + 160] = np.hanning(160)
    return x


def test_linear_time_map_recovers_rate_and_shift():
    q = np.linspace(0, 10, 30)
    rate, shift = linear_time_map(list(zip(q, 1.25 * q + 2.0)))
    assert rate == pytest.approx(1.25) and shift == pytest.approx(2.0)
    with pytest.raises(WorkbenchError):
        linear_time_map([(0.0, 0.0)])


def test_slower_item_is_stretched_and_placed_on_the_query_clock():
    # the item plays the same onsets 1.5x slower and starts 1 s later than the query
    query_onsets = np.arange(0.5, 6.0, 0.5)
    item = AudioBuffer(clicks(1.0 + 1.5 * query_onsets, 11.0), SR, name="cover")
    path = [(q, 1.0 + 1.5 * q) for q in np.linspace(0, 6, 20)]
    aligned, offset = align_to_query(item, path, SR, channels=2)
    assert aligned.channels == 2 and offset == pytest.approx(0.0, abs=1e-6)
    # the aligned item's envelope lines up with the query's click train (cross-correlation lag < 40 ms)
    hop = SR // 100
    def envelope(x):
        x = np.abs(x[: len(x) // hop * hop]).reshape(-1, hop).max(axis=1)
        x = np.convolve(x, np.ones(9) / 9, mode="same")  # the phase vocoder smears clicks over ~100 ms
        return x - x.mean()
    env_item = envelope(aligned.samples[0])
    env_query = envelope(clicks(query_onsets, 6.5))
    n = min(len(env_item), len(env_query))
    lags = np.arange(-20, 21)
    corr = [np.dot(env_query[20:n - 20], env_item[20 + k:n - 20 + k]) for k in lags]
    assert abs(lags[int(np.argmax(corr))]) * 10 <= 40
    k = int(lags[int(np.argmax(corr))])
    r = np.corrcoef(env_query[20:n - 20], env_item[20 + k:n - 20 + k])[0, 1]
    assert r > 0.5, f"aligned item does not follow the query's onsets (r={r:.2f})"
    raw = envelope(item.samples[0])  # the item as it is (slower, later) does not
    assert np.corrcoef(env_query[20:n - 20], raw[20:n - 20])[0, 1] < r - 0.3
