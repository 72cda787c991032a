"""The CQT's GPU branch (strided conv1d halving, kernels and frames on the device) against the CPU branch.

The GPU branch only runs on a CUDA device, so without one these tests are skipped, saying so; the CPU branch
itself is checked against librosa in test_features.py.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from workbench.core.features import SpectrogramSettings, cqt_magnitude
from workbench.core.features.cqt import cqt_plan, padded_slice

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(),
                                reason="no CUDA GPU here: the CQT's GPU branch can only run on one")


def _signal(sr: int, seconds: float = 4.0) -> np.ndarray:
    """Tones, a glide, clicks and noise (energy in every octave and in time)."""
    rng = np.random.default_rng(3)
    t = np.arange(int(sr * seconds)) / sr
    x = 0.4 * np.sin(2 * np.pi * 330 * t) + 0.2 * np.sin(2 * np.pi * (40 * t + 300 * t**2))
    x += 0.1 * np.sin(2 * np.pi * 6000 * t) * (t > 2.0)
    x[:: sr // 3] += 0.7
    x += 0.01 * rng.standard_normal(len(t))
    return x.astype(np.float32)


def _close(gpu: torch.Tensor, cpu: torch.Tensor) -> None:
    g, c = gpu.float().cpu().numpy(), cpu.numpy()
    assert g.shape == c.shape
    peak = float(c.max())
    assert peak > 0
    # float32 sums in another order (conv1d, cuBLAS): agree to ~1e-6 of the peak; 1e-4 leaves room, a wrong
    # filter, scaling or frame offset is off by far more
    assert float(np.abs(g - c).max()) < 1e-4 * peak
    loud = c > 1e-3 * peak
    assert float(np.median(np.abs(g[loud] - c[loud]) / c[loud])) < 1e-4


@pytest.mark.parametrize("sr", [22050, 44100])
def test_whole_signal_cqt_on_cuda_matches_cpu(sr):
    x = _signal(sr)
    s = SpectrogramSettings(kind="cqt", hop=512, fmin=32.70, bins_per_octave=36, n_bins=252)
    cpu = cqt_magnitude(x, sr, s, device="cpu")
    gpu = cqt_magnitude(x, sr, s, device="cuda")
    assert gpu.device.type == "cuda"
    _close(gpu, cpu)


def test_pooled_and_irregular_columns_on_cuda_match_cpu():
    """The zoomed-out view (pooled evenly spaced centres) and arbitrary centres (the gather path)."""
    sr = 44100
    x = _signal(sr, 6.0)
    s = SpectrogramSettings(kind="cqt", hop=256, fmin=27.5, bins_per_octave=24, n_bins=180)
    read = lambda a, b: padded_slice(x, a, b)  # noqa: E731
    even = np.arange(0, len(x), 128, dtype=np.int64)[:2048]
    irregular = np.unique(np.random.default_rng(0).integers(0, len(x), 300)).astype(np.int64)
    for centres, pool in ((even, 8), (irregular, 1)):
        cpu = cqt_plan(sr, s, "cpu").magnitude(read, centres, pool=pool)
        gpu = cqt_plan(sr, s, "cuda").magnitude(read, centres, pool=pool)
        _close(gpu, cpu)
