"""Conv-TasNet chunking: overlapping chunks whose speaker order is aligned before cross-fading (no swaps), and
the loading path with random weights of the same layout."""

from __future__ import annotations

import numpy as np
import torch

from workbench.core.chunks import crossfade_add, iter_chunks
from workbench.core.models import ModelStore
from workbench.core.plugin_api import JobContext
from workbench_plugins.separation import online
from workbench_plugins.separation.models import MODELS

RATE = 8000


def two_voices(seconds: float = 7.0):
    """A low voice (~150 Hz harmonics) and a high one (~2 kHz), each with its own syllable rhythm."""
    t = np.arange(int(seconds * RATE)) / RATE
    low = sum(np.sin(2 * np.pi * 150 * h * t * (1 + 0.02 * np.sin(2 * np.pi * 0.5 * t))) / h for h in (1, 2, 3))
    high = np.sin(2 * np.pi * 2000 * t + 3 * np.sin(2 * np.pi * 5 * t))
    low *= 0.5 + 0.5 * np.sin(2 * np.pi * 3.1 * t) ** 2
    high *= 0.5 + 0.5 * np.cos(2 * np.pi * 2.3 * t) ** 2
    return low.astype(np.float32) * 0.3, high.astype(np.float32) * 0.3


class SwappingBandSplitter(torch.nn.Module):
    """A stand-in separator that splits below / above 800 Hz and swaps its output order on every other call."""

    calls = 0

    def forward(self, x):
        spec = torch.fft.rfft(x[0, 0])
        f = torch.fft.rfftfreq(x.shape[-1], 1 / RATE)
        low = torch.fft.irfft(spec * (f < 800), x.shape[-1])
        high = torch.fft.irfft(spec * (f >= 800), x.shape[-1])
        self.calls += 1
        pair = (high, -2.0 * low) if self.calls % 2 == 0 else (low, 0.5 * high)  # order, sign and scale vary
        return torch.stack(pair)[None]


def test_no_speaker_swap_at_chunk_boundaries():
    low, high = two_voices()
    net = SwappingBandSplitter()
    stems = online.run_tasnet(net, (low + high)[None], RATE, JobContext(), chunk_s=2.0, overlap_s=0.5)
    assert net.calls >= 4
    a, b = stems["speaker1"][0], stems["speaker2"][0]
    for start in range(0, len(low) - RATE // 2, RATE // 2):  # every half second, including each boundary
        s = slice(start, start + RATE // 2)
        ca = np.corrcoef(a[s], low[s])[0, 1]
        cb = np.corrcoef(b[s], high[s])[0, 1]
        assert ca > 0.95 and cb > 0.95, f"swap near {start / RATE:.1f} s: {ca:.2f}, {cb:.2f}"


def test_align_to_previous_finds_order_and_gain():
    rng = np.random.default_rng(0)
    prev = rng.standard_normal((2, 400))
    order, gains = online.align_to_previous(prev, np.stack([3 * prev[1], -0.5 * prev[0]]))
    assert order == [1, 0]
    np.testing.assert_allclose(gains, [-2.0, 1 / 3], rtol=1e-6)


def test_crossfade_add_rebuilds_the_signal():
    x = np.random.default_rng(1).standard_normal((2, 10_000)).astype(np.float32)
    out = np.zeros_like(x)
    for chunk in iter_chunks(x, 1000, 2.3, 0.7):
        crossfade_add(out, chunk.samples, chunk, int(round(0.7 * 1000)))
    np.testing.assert_allclose(out, x, atol=1e-6)


def test_random_weights_load_and_run(tmp_path):
    import torchaudio.models as tm

    torch.manual_seed(0)
    path = tmp_path / "conv_tasnet_base_libri2mix.pt"
    torch.save(tm.conv_tasnet_base(num_sources=2).state_dict(), path)
    store = ModelStore(MODELS, cache_dir=tmp_path / "cache")
    store.import_model(online.TASNET_ID, path)
    ctx = JobContext(models=store)
    net = online.load_online(online.TASNET_ID, ctx)
    low, high = two_voices(3.0)
    stems = online.run_tasnet(net, np.stack([low + high, low + high]), RATE, ctx, chunk_s=1.0, overlap_s=0.25)
    assert sorted(stems) == ["speaker1", "speaker2"]
    for s in stems.values():
        assert s.shape == (1, len(low)) and np.all(np.isfinite(s)) and np.std(s) > 0
