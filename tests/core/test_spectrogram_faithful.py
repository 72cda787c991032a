"""The zoomed-out spectrogram summarises ALL the audio under each column (a max pyramid over every frame), so
3 ms clicks and 40 ms tones in a long file stand out at every zoom level; and it can be drawn progressively."""

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.features import SpectrogramSettings
from workbench.core.features.settings import DB_FLOOR
from workbench.core.spectrogram_view import TILE_COLS, SpectrogramProvider

SR = 8000  # a low rate keeps a 12-minute file fast
MINUTES = 12
N_CLICKS = 40
TONE_HZ = 3000.0


@pytest.fixture(scope="module")
def long_file():
    """12 min of noise and a steady 440 Hz tone, 40 clicks of 3 ms and 40 short (40 ms) 3 kHz tones at
    irregular times (never on a frame grid)."""
    rng = np.random.default_rng(7)
    n = SR * 60 * MINUTES
    t = np.arange(n) / SR
    x = 0.005 * rng.standard_normal(n) + 0.05 * np.sin(2 * np.pi * 440.0 * t)
    clicks = np.sort(rng.uniform(5, 60 * MINUTES - 5, N_CLICKS))
    for c in clicks:
        a = int(c * SR)
        x[a:a + int(0.003 * SR)] += rng.uniform(-0.9, 0.9, int(0.003 * SR))
    tones = np.sort(rng.uniform(5, 60 * MINUTES - 5, N_CLICKS))
    for c in tones:
        a, m = int(c * SR), int(0.040 * SR)
        x[a:a + m] += 0.2 * np.sin(2 * np.pi * TONE_HZ * np.arange(m) / SR) * np.hanning(m)
    return AudioBuffer(x[None].astype(np.float32), SR), clicks, tones


@pytest.fixture
def provider(tmp_path):
    """A fresh provider with its own empty disk cache (a file this long gets one)."""
    return lambda audio: SpectrogramProvider(audio, cache_dir=tmp_path)


def _views(dur, events):
    """(t0, t1, width): the whole file at several widths, then 2-minute and 10-second windows at each event."""
    views = [(0.0, dur, w) for w in (300, 800, 1600)]
    for c in events[::4]:
        views += [(c - 60.0, c + 60.0, 1200), (c - 5.0, c + 5.0, 1000)]
    return views


@pytest.mark.parametrize("kind", ["stft", "mel", "cqt"])
def test_every_click_stands_out_at_every_zoom_level(long_file, kind, provider):
    audio, clicks, _ = long_file
    p = provider(audio)
    s = SpectrogramSettings(kind=kind)
    for t0, t1, w in _views(audio.duration, clicks):
        img = p.render(s, t0, t1, w)
        score = img.db[img.freqs > 1000].mean(axis=0)  # broadband: clicks light up the high rows
        base = np.median(score)
        inside = clicks[(clicks >= img.t0) & (clicks < img.t1)]
        cols = ((inside - img.t0) / (img.t1 - img.t0) * w).astype(int)
        # the click's pixel (or its neighbour: a column sits within half a column of its true place)
        peak = np.array([score[max(0, c - 1):c + 2].max() for c in cols])
        assert len(inside) and (peak > base + 10).all(), (kind, t0, t1, w, np.round(peak - base, 1))


def test_short_tones_stand_out_on_their_row_zoomed_out(long_file, provider):
    audio, _, tones = long_file
    p = provider(audio)
    s = SpectrogramSettings(kind="stft")
    for w in (400, 1600):
        img = p.render(s, 0.0, audio.duration, w)
        row = img.db[int(np.argmin(np.abs(img.freqs - TONE_HZ)))]
        cols = (tones / audio.duration * w).astype(int)
        peak = np.array([row[max(0, c - 1):c + 2].max() for c in cols])
        assert (peak > np.median(row) + 10).all(), np.round(peak - np.median(row), 1)


@pytest.mark.parametrize("kind", ["stft", "cqt"])
def test_summary_levels_are_the_max_of_every_step_frame(long_file, kind, tmp_path):
    audio, _, _ = long_file
    s = SpectrogramSettings(kind=kind)
    p = SpectrogramProvider(audio, cache_dir=tmp_path / "a")
    ls = p.step_level(s)
    frames = np.concatenate([p.tile(s, None, ls, i) for i in range(16)], axis=1)  # 16 tiles of step frames
    for q, direct in ((2, True), (4, False)):  # pooled from frames / from the two finer tiles
        fresh = SpectrogramProvider(audio, cache_dir=tmp_path / f"q{q}")
        got = fresh.tile(s, None, ls + q, 0)
        ref = frames[:, : TILE_COLS << q].reshape(frames.shape[0], TILE_COLS, 1 << q).max(axis=2)
        assert (fresh.stats["derived"] == 0) == direct
        if kind == "stft":
            np.testing.assert_allclose(got, ref, atol=0.02)
        else:  # CQT octaves with long filters look at every k-th frame only: a max over a subset
            assert (got <= ref + 0.02).all()
            top = slice(got.shape[0] - s.bins_per_octave, None)  # the shortest filters: every frame
            np.testing.assert_allclose(got[top], ref[top], atol=0.02)


def test_progressive_render_hands_out_partial_images_then_the_complete_one(long_file, provider):
    audio, _, _ = long_file
    s = SpectrogramSettings(kind="mel")
    partials = []
    p = provider(audio)
    final = p.render(s, 0.0, audio.duration, 1600, on_partial=partials.append, partial_every=0.0)
    assert final.complete and partials and not any(im.complete for im in partials)
    assert (partials[0].db == DB_FLOOR).all(axis=0).any()  # some columns still to come
    assert (partials[-1].db != DB_FLOOR).any()
    ref = provider(audio).render(s, 0.0, audio.duration, 1600)
    np.testing.assert_array_equal(final.db, ref.db)
