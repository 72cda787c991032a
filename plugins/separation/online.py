"""Optional separators whose weights come from the model store (downloaded on request; not bundled on PyPI).

* ``hdemucs-high-musdb-plus``: torchaudio's Hybrid Demucs (drums, bass, other, vocals) at 44.1 kHz stereo.
* ``convtasnet-libri2mix``: torchaudio's Conv-TasNet for two overlapping speakers at 8 kHz mono.

The network code is torchaudio's (``torchaudio.models``); the state dict is read with ``weights_only=True``
from the store, which raises :class:`ModelUnavailableError` (naming ``workbench models fetch ID``) when absent.
"""

from __future__ import annotations

import numpy as np
import torch

from workbench.core.chunks import crossfade_add
from workbench.core.errors import ModelUnavailableError
from workbench.core.plugin_api import JobContext
from workbench.core.resample import resample_array

DEMUCS_ID, TASNET_ID = "hdemucs-high-musdb-plus", "convtasnet-libri2mix"
DEMUCS_SOURCES = ("drums", "bass", "other", "vocals")


def _store(ctx: JobContext):
    if ctx.models is not None:
        return ctx.models
    from workbench.core.models import default_store

    return default_store()


def load_online(model_id: str, ctx: JobContext) -> torch.nn.Module:
    """Build the torchaudio network and load its weights from the store (ModelUnavailableError when absent)."""
    import torchaudio.models as tm

    path = _store(ctx).path(model_id)  # raises ModelUnavailableError with instructions
    if model_id == DEMUCS_ID:
        net = tm.hdemucs_high(sources=list(DEMUCS_SOURCES))
    elif model_id == TASNET_ID:
        net = tm.conv_tasnet_base(num_sources=2)
    else:
        raise ModelUnavailableError(f"'{model_id}' is not a separation model")
    state = torch.load(path, map_location="cpu", weights_only=True)
    net.load_state_dict(state)
    return net.eval().to(ctx.device)


@torch.inference_mode()
def run_demucs(net, samples: np.ndarray, rate: int, ctx: JobContext, segment: float = 10.0,
               overlap: float = 1.0) -> dict[str, np.ndarray]:
    """Four stems (channels, n) at ``rate``; 44.1 kHz stereo inside, chunks cross-faded over ``overlap`` s."""
    ch, n = samples.shape
    x = samples if ch == 2 else np.repeat(samples.mean(axis=0, keepdims=True), 2, axis=0)
    x = resample_array(x, rate, 44100) if rate != 44100 else x
    ref_mean, ref_std = float(x.mean()), float(x.std()) + 1e-8  # the normalisation Demucs was trained with
    out = np.zeros((len(DEMUCS_SOURCES),) + x.shape, dtype=np.float32)
    ov = int(round(overlap * 44100))
    for chunk in ctx.chunks(x, 44100, segment, overlap, text="demucs"):
        inp = torch.from_numpy((chunk.samples - ref_mean) / ref_std).float()[None].to(ctx.device)
        y = net(inp)[0].cpu().numpy() * ref_std + ref_mean  # (sources, 2, len)
        crossfade_add(out, y, chunk, ov)
    stems = {}
    for i, name in enumerate(DEMUCS_SOURCES):
        s = resample_array(out[i], 44100, rate) if rate != 44100 else out[i]
        s = s[:, :n] if ch == 2 else s.mean(axis=0, keepdims=True)[:, :n].repeat(ch, axis=0)
        stems[name] = np.pad(s, ((0, 0), (0, n - s.shape[-1])))
    return stems


def align_to_previous(prev: np.ndarray, cur: np.ndarray, min_energy: float = 1e-8) -> tuple[list[int], np.ndarray]:
    """(order, gains) that make ``cur[order] * gains[:, None]`` continue ``prev``: both (sources, k), the previous
    and the current chunk's outputs on the same k samples of overlap.

    A separator's output order is arbitrary per call, so speakers would swap at chunk boundaries; the order that
    maximises the summed absolute normalised correlation on the overlap wins. Each row then gets the
    least-squares gain (sign included) that matches the previous chunk, since Conv-TasNet's scale is arbitrary
    too. With silence on either side the order and gains stay as they are.
    """
    from itertools import permutations

    n = cur.shape[0]
    p, c = prev.astype(np.float64), cur.astype(np.float64)
    pe, ce = np.sum(p * p, axis=1), np.sum(c * c, axis=1)
    if pe.max() < min_energy or ce.max() < min_energy:
        return list(range(n)), np.ones(n)
    corr = np.abs(p @ c.T) / np.sqrt(np.outer(pe, ce) + 1e-20)
    order = list(max(permutations(range(n)), key=lambda perm: sum(corr[i, perm[i]] for i in range(n))))
    gains = np.array([float(np.dot(p[i], c[j]) / ce[j]) if pe[i] >= min_energy and ce[j] >= min_energy else 1.0
                      for i, j in enumerate(order)])
    return order, gains


@torch.inference_mode()
def run_tasnet(net, samples: np.ndarray, rate: int, ctx: JobContext, chunk_s: float = 30.0,
               overlap_s: float = 2.0) -> dict[str, np.ndarray]:
    """Two speakers (1, n) at ``rate`` from the mono mixdown (Conv-TasNet runs at 8 kHz).

    Chunks of ``chunk_s`` share ``overlap_s`` with their neighbours; each chunk's speaker order is aligned to the
    previous chunk's on the overlap (:func:`align_to_previous`) before the two are cross-faded.
    """
    mono = samples.mean(axis=0)
    x = resample_array(mono, rate, 8000)
    out = np.zeros((2, x.shape[-1]), np.float32)
    ov = int(round(overlap_s * 8000))
    prev, prev_start = None, 0
    for chunk in ctx.chunks(x, 8000, chunk_s, overlap_s, text="conv-tasnet"):
        y = net(torch.from_numpy(np.ascontiguousarray(chunk.samples)).float()[None, None].to(ctx.device))[0]
        y = y.cpu().numpy()[:, : chunk.end - chunk.start]
        k = prev_start + prev.shape[-1] - chunk.start if prev is not None else 0  # samples shared with it
        if k > 0:
            order, gains = align_to_previous(prev[:, chunk.start - prev_start:], y[:, :k])
            y = (y[order] * gains[:, None].astype(np.float32)).astype(np.float32)
        crossfade_add(out, y, chunk, ov)
        prev, prev_start = y, chunk.start
    n = samples.shape[-1]
    stems = {}
    for i in range(2):
        s = resample_array(out[i], 8000, rate)[:n]
        stems[f"speaker{i + 1}"] = np.pad(s, (0, n - len(s)))[None]
    return stems
