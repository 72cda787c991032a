"""Optional separators whose weights come from the model store (downloaded on request; not bundled on PyPI).

* ``hdemucs-high-musdb-plus``: torchaudio's Hybrid Demucs (drums, bass, other, vocals) at 44.1 kHz stereo.
* ``convtasnet-libri2mix``: torchaudio's Conv-TasNet for two overlapping speakers at 8 kHz mono.

The network code is torchaudio's (``torchaudio.models``); the state dict is read with ``weights_only=True``
from the store, which raises :class:`ModelUnavailableError` (naming ``workbench models fetch ID``) when absent.
"""

from __future__ import annotations

import numpy as np
import torch

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
    ov = int(overlap * 44100)
    for chunk in ctx.chunks(x, 44100, segment, overlap, text="demucs"):
        inp = torch.from_numpy((chunk.samples - ref_mean) / ref_std).float()[None].to(ctx.device)
        y = net(inp)[0].cpu().numpy() * ref_std + ref_mean  # (sources, 2, len)
        w = np.ones(y.shape[-1], np.float32)
        k = min(ov, y.shape[-1])
        ramp = (np.arange(k, dtype=np.float32) + 0.5) / max(k, 1)
        if chunk.index > 0:
            w[:k] = ramp
        if chunk.index < chunk.count - 1:
            w[-k:] = ramp[::-1]
        out[..., chunk.start:chunk.end] += y * w
    stems = {}
    for i, name in enumerate(DEMUCS_SOURCES):
        s = resample_array(out[i], 44100, rate) if rate != 44100 else out[i]
        s = s[:, :n] if ch == 2 else s.mean(axis=0, keepdims=True)[:, :n].repeat(ch, axis=0)
        stems[name] = np.pad(s, ((0, 0), (0, n - s.shape[-1])))
    return stems


@torch.inference_mode()
def run_tasnet(net, samples: np.ndarray, rate: int, ctx: JobContext) -> dict[str, np.ndarray]:
    """Two speakers (1, n) at ``rate`` from the mono mixdown (Conv-TasNet runs at 8 kHz)."""
    mono = samples.mean(axis=0)
    x = resample_array(mono, rate, 8000)
    out = np.zeros((2, x.shape[-1]), np.float32)
    for chunk in ctx.chunks(x, 8000, 30.0, 0.0, text="conv-tasnet"):
        y = net(torch.from_numpy(chunk.samples).float()[None, None].to(ctx.device))[0].cpu().numpy()
        out[:, chunk.start:chunk.end] = y[:, : chunk.end - chunk.start]
    n = samples.shape[-1]
    stems = {}
    for i in range(2):
        s = resample_array(out[i], 8000, rate)[:n]
        stems[f"speaker{i + 1}"] = np.pad(s, (0, n - len(s)))[None]
    return stems
