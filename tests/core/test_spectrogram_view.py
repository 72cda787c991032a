"""SpectrogramProvider: screen-resolution views from cached tiles, disk reuse, edges, channels, cancellation."""

import threading

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError, JobCancelled
from workbench.core.features import SpectrogramSettings, compute_spectrogram
from workbench.core.spectrogram_view import BASE_HOP, TILE_COLS, SpectrogramProvider

SR = 22050
KINDS = ["stft", "mel", "cqt"]


@pytest.fixture(scope="module")
def stereo():
    """20 s: left a 1 kHz tone, right a 300 Hz tone, a click every second on both."""
    t = np.arange(SR * 20) / SR
    left = 0.5 * np.sin(2 * np.pi * 1000 * t)
    right = 0.5 * np.sin(2 * np.pi * 300 * t)
    clicks = np.zeros_like(t)
    clicks[::SR] = 1.0
    return AudioBuffer(np.stack([left + clicks, right + clicks]).astype(np.float32), SR)


def _peak_hz(img):
    return img.freqs[int(np.argmax(img.db.mean(axis=1)))]


@pytest.mark.parametrize("kind", KINDS)
def test_requested_width_and_clamped_span(stereo, kind):
    p = SpectrogramProvider(stereo)
    s = SpectrogramSettings(kind=kind)
    for t0, t1, w in [(0, 20, 800), (-5, 3, 333), (2.0, 2.05, 640), (19.5, 99, 50)]:
        img = p.render(s, t0, t1, w)
        assert img.db.shape == (len(img.freqs), w) and img.db.dtype == np.float32
        assert img.t0 == max(0, t0) and img.t1 == min(20, t1)
        assert len(img.times) == w and img.times[0] > img.t0 and img.times[-1] < img.t1
        assert np.isfinite(img.db).all()
    outside = p.render(s, 25, 30, 100)
    assert outside.db.shape[1] == 100 and outside.t0 == outside.t1 == 20


@pytest.mark.parametrize("kind", KINDS)
def test_tiles_agree_with_whole_signal_across_borders(stereo, kind):
    """Level columns assembled from several tiles equal compute_spectrogram at that level's hop."""
    p = SpectrogramProvider(stereo)
    level = min(3, p.step_level(SpectrogramSettings(kind=kind)))  # above the step level columns are maxima
    hop = BASE_HOP << level
    s = SpectrogramSettings(kind=kind, hop=hop)
    whole = compute_spectrogram(stereo.samples, SR, s).db
    cols = np.concatenate([p.tile(s, None, level, i) for i in range(3)], axis=1)[:, : whole.shape[1]]
    n = min(cols.shape[1], whole.shape[1])
    assert n > 2 * TILE_COLS
    sel = whole[:, :n] > whole.max() - 60
    assert np.abs(cols[:, :n] - whole[:, :n])[sel].max() < 0.05


@pytest.mark.parametrize("kind", KINDS)
def test_neighbour_levels_reuse_columns(stereo, kind):
    """Up to the step level, level L+1 column j is level L column 2j: derived tiles equal computed ones."""
    s = SpectrogramSettings(kind=kind)
    fresh = SpectrogramProvider(stereo)
    p = SpectrogramProvider(stereo)
    ls = p.step_level(s)  # STFT: half the 2048-sample frame, so levels 0..5 are frames, 6 and up max-pool them
    assert ls == (5 if kind != "cqt" else 2)  # the CQT's shortest filter (274 samples) limits its step
    p.tile(s, None, ls - 1, 0), p.tile(s, None, ls - 1, 1)
    derived = p.tile(s, None, ls, 0)  # zoom out: from the two finer tiles, no computation
    assert p.stats["derived"] == 1 and p.stats["computed"] == 2
    q = SpectrogramProvider(stereo)
    q.tile(s, None, ls, 0)
    half = q.tile(s, None, ls - 1, 1)  # zoom in: even columns from the coarser tile, odd ones computed
    assert q.stats["computed"] == 2 and q.stats["derived"] == 0
    for got, ref in ((derived, fresh.tile(s, None, ls, 0)), (half, fresh.tile(s, None, ls - 1, 1))):
        sel = ref > ref.max() - 60
        assert np.abs(got - ref)[sel].max() < 0.05


def test_view_pools_columns_and_keeps_transients(stereo):
    p = SpectrogramProvider(stereo)
    s = SpectrogramSettings(kind="stft")
    img = p.render(s, 0, 5, 250)  # 441 samples per pixel: each pixel pools ~2 columns, clicks are narrower
    hi_band = img.db[img.freqs > 5000].mean(axis=0)
    click_cols = np.arange(5) * 50
    near = np.concatenate([click_cols + d for d in range(-3, 4)] + [np.arange(246, 250)])  # 2048-sample window
    others = np.setdiff1d(np.arange(250), near)
    assert hi_band[click_cols].min() > hi_band[others].max() + 20  # every click is seen despite the zoom


def test_repeated_render_hits_the_memory_cache(stereo):
    p = SpectrogramProvider(stereo)
    s = SpectrogramSettings(kind="mel")
    a = p.render(s, 1, 6, 500)
    computed = p.stats["computed"]
    b = p.render(s, 1, 6, 500)
    assert p.stats["computed"] == computed and p.stats["memory_hits"] > 0
    np.testing.assert_array_equal(a.db, b.db)
    p.render(s, 1.5, 6.5, 500)  # a scroll by 10% reuses almost every tile
    assert p.stats["computed"] - computed <= 1


def test_memory_bound_evicts(stereo):
    p = SpectrogramProvider(stereo, memory_mb=1)
    s = SpectrogramSettings(kind="stft")  # one tile is 1025 x 256 float32 = 1 MiB
    p.render(s, 0, 20, 1600)
    assert p._mem.nbytes <= 2**20


def test_disk_cache_reused_by_a_new_provider(stereo, tmp_path):
    s = SpectrogramSettings(kind="cqt")

    def provider(audio):
        p = SpectrogramProvider(audio, cache_dir=tmp_path)
        p.disk_min_level = 0  # this short file's views use fine levels; by default only coarse ones go to disk
        return p

    p1 = provider(stereo)
    a = p1.render(s, 3, 9, 400, channel=1)
    assert p1.stats["computed"] > 0 and list(tmp_path.rglob("*.npy"))
    p2 = provider(stereo)
    b = p2.render(s, 3, 9, 400, channel=1)
    assert p2.stats["computed"] == 0 and p2.stats["disk_hits"] == p1.stats["computed"]
    np.testing.assert_allclose(a.db, b.db, atol=0.07)  # float16 on disk
    other = AudioBuffer(stereo.samples[::-1].copy(), SR)  # different content: never served the old tiles
    p3 = provider(other)
    p3.render(s, 3, 9, 400, channel=1)
    assert p3.stats["disk_hits"] == 0


def test_disk_cache_keeps_only_coarse_levels_by_default(stereo, tmp_path):
    p = SpectrogramProvider(stereo, cache_dir=tmp_path)
    s = SpectrogramSettings(kind="mel")
    p.render(s, 0, 20, 100)  # 4410 samples per pixel: level 7, goes to disk
    p.render(s, 0, 2, 800)  # level 0: memory only
    levels = {f.name.split("_")[0] for f in tmp_path.rglob("*.npy")}
    assert levels == {"L7"}


@pytest.mark.parametrize("kind", KINDS)
def test_channel_choice(stereo, kind):
    p = SpectrogramProvider(stereo)
    s = SpectrogramSettings(kind=kind)
    left, right = p.render(s, 2, 8, 300, channel=0), p.render(s, 2, 8, 300, channel=1)
    assert abs(_peak_hz(left) - 1000) < 40 and abs(_peak_hz(right) - 300) < 25
    mono = p.render(s, 2, 8, 300).db.mean(axis=1)
    f = p.render(s, 2, 8, 300).freqs
    assert mono[np.argmin(abs(f - 1000))] > np.median(mono) + 20 and mono[np.argmin(abs(f - 300))] > np.median(mono) + 20
    with pytest.raises(InvalidParameterError):
        p.render(s, 0, 1, 10, channel=2)


@pytest.mark.parametrize("n", [0, 1, 37, 3000])
def test_empty_and_very_short_audio(n):
    buf = AudioBuffer(np.random.default_rng(0).standard_normal((2, n)).astype(np.float32) * 0.1, 16000)
    p = SpectrogramProvider(buf)
    for kind in KINDS:
        img = p.render(SpectrogramSettings(kind=kind), 0, 10, 64)
        assert img.db.shape == (len(img.freqs), 64) and np.isfinite(img.db).all()
    mins, maxs = p.overview(100)
    assert mins.shape == maxs.shape == (100,) and np.all(mins <= maxs)


def test_cancellation_is_prompt(stereo):
    p = SpectrogramProvider(stereo)
    s = SpectrogramSettings(kind="cqt")
    with pytest.raises(JobCancelled):
        p.render(s, 0, 20, 1600, cancelled=lambda: True)
    calls = []

    def after_a_few():
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(JobCancelled):
        p.render(s, 0, 20, 4000, cancelled=after_a_few)
    assert p.stats["computed"] <= 2  # stopped long before the ~10 tiles of that view


def test_overview_envelope(stereo):
    p = SpectrogramProvider(stereo)
    mins, maxs = p.overview(400)
    env = np.asarray(p.overview(400))
    assert env.shape == (2, 400) and p.overview(400) is p.overview(400)
    assert np.all(maxs > 0.45) and np.all(mins < -0.45) and maxs.max() == pytest.approx(stereo.samples.max())


def test_concurrent_renders_agree(stereo):
    p = SpectrogramProvider(stereo)
    s = SpectrogramSettings(kind="stft")
    ref = SpectrogramProvider(stereo).render(s, 0, 10, 700).db
    out, errors = [None] * 4, []

    def work(i):
        try:
            out[i] = p.render(s, 0, 10, 700).db
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    for o in out:
        np.testing.assert_array_equal(o, ref)


def test_disk_cache_prune_drops_least_recently_used_files(tmp_path):
    import os

    from workbench.core.features.tiles import DiskTiles

    old, new = DiskTiles(tmp_path, "old-file"), DiskTiles(tmp_path, "this-file")
    for d in (old, new):
        d.save("k", 7, 0, np.zeros((128, 256), np.float32))
    os.utime(old.root, (1, 1))
    new.prune(max_bytes=100_000)  # room for one 64 KiB tile
    assert not old.root.exists() and new.load("k", 7, 0) is not None


@pytest.mark.parametrize("kind", KINDS)
def test_file_still_decoding_shows_the_decoded_part_and_keeps_only_final_tiles(kind):
    """While a file decodes into its array, the left part is drawn from the decoded frames and the rest is
    silence; no tile touching undecoded frames is stored, so after the decode the view equals a fresh one."""
    sr, seconds = 8000, 120
    rng = np.random.default_rng(1)
    x = (0.05 * rng.standard_normal((1, sr * seconds))).astype(np.float32)
    x[0, ::sr * 7] = 1.0  # a click every 7 s
    samples = np.zeros_like(x)
    frontier = [sr * 50]
    samples[:, :frontier[0]] = x[:, :frontier[0]]
    view = samples.view()
    view.setflags(write=False)
    s = SpectrogramSettings(kind=kind)
    p = SpectrogramProvider(AudioBuffer.adopt(view, sr), decoded=lambda: frontier[0])
    ref = SpectrogramProvider(AudioBuffer(x, sr)).render(s, 0, seconds, 600)
    img = p.render(s, 0, seconds, 600)
    assert not img.complete
    margin = 2.0  # s: far more than any frame or CQT filter reaches
    left, right = img.times < 50 - margin, img.times > 50 + margin
    np.testing.assert_allclose(img.db[:, left], ref.db[:, left], atol=1e-3)
    assert img.db[:, right].max() <= -99.0  # not decoded yet: silence
    samples[:, frontier[0]:] = x[:, frontier[0]:]  # the decoder finishes
    frontier[0] = x.shape[1]
    with pytest.raises(InvalidParameterError):
        p.finish_decoding(AudioBuffer(x, sr))  # another buffer: refused
    samples.setflags(write=False)
    p.finish_decoding(AudioBuffer.adopt(samples, sr))
    done = p.render(s, 0, seconds, 600)
    assert done.complete
    np.testing.assert_allclose(done.db, ref.db, atol=1e-3)


def test_the_cpu_stft_view_draws_without_torch():
    """A file opened while torch still loads (1.5-2 s at start-up) is drawn at once: the CPU STFT view needs
    numpy only, and gives the numbers it gives once torch (and its FFT) has loaded."""
    import subprocess
    import sys
    import tempfile
    from pathlib import Path

    code = (
        "import sys, numpy as np\n"
        "from workbench.core.audio import AudioBuffer\n"
        "from workbench.core.features import SpectrogramSettings\n"
        "from workbench.core.spectrogram_view import SpectrogramProvider\n"
        "x = np.random.default_rng(0).standard_normal((1, 8000 * 30)).astype(np.float32)\n"
        "img = SpectrogramProvider(AudioBuffer(x, 8000)).render(SpectrogramSettings(), 0, 30, 200)\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "np.save(sys.argv[1], img.db)\n")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "db.npy"
        subprocess.run([sys.executable, "-c", code, str(out)], check=True, timeout=120)
        db = np.load(out)
    import torch  # noqa: F401  (torch's FFT from here on)
    from workbench.core.features import stft  # noqa: F401

    x = np.random.default_rng(0).standard_normal((1, 8000 * 30)).astype(np.float32)
    ref = SpectrogramProvider(AudioBuffer(x, 8000)).render(SpectrogramSettings(), 0, 30, 200)
    np.testing.assert_allclose(db, ref.db, atol=1e-3)
