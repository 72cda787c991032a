"""Source separation: returns one Tracks layer whose stems are AudioBuffers at the input rate and length."""

from __future__ import annotations

import threading

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Layer, Tracks
from workbench.core.plugin_api import JobContext

from . import online, spleeter
from .unet import load_unets

_cache: dict[tuple[str, str], object] = {}
_lock = threading.Lock()


def _spleeter_nets(ctx: JobContext):
    key = ("spleeter-2stems", ctx.device)
    with _lock:
        if key not in _cache:
            root = None
            if ctx.models is not None:
                root = ctx.models.folder("spleeter-2stems").parent.parent  # checksum-checked package folder
            _cache[key] = load_unets(ctx.device, root)
        return _cache[key]


def _online_net(model_id: str, ctx: JobContext):
    key = (model_id, ctx.device)
    with _lock:
        if key not in _cache:
            _cache[key] = online.load_online(model_id, ctx)
        return _cache[key]


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Separate ``audio`` into stems with the chosen model (see the manifest)."""
    if audio.num_samples < audio.sample_rate // 10:
        raise InvalidParameterError("Separation needs at least 0.1 s of audio")
    model = params.get("model", "spleeter-2stems")
    x, rate = audio.samples, audio.sample_rate
    ctx.progress(0.0, f"loading {model}")
    if model == "spleeter-2stems":
        nets = _spleeter_nets(ctx)
        v, a = spleeter.separate(nets, x, rate, ctx, params.get("chunk_s", 30.0), params.get("overlap_s", 2.0))
        stems = {"vocals": v, "accompaniment": a}
        meta = {"model": model, "sum_tolerance": 1e-5,
                "note": "accompaniment = mixture - vocals; vocal mask above 11 kHz = its magnitude-weighted 8.3-11 kHz mean"}
    elif model == online.DEMUCS_ID:
        stems = online.run_demucs(_online_net(model, ctx), x, rate, ctx)
        meta = {"model": model}
    elif model == online.TASNET_ID:
        stems = online.run_tasnet(_online_net(model, ctx), x, rate, ctx)
        meta = {"model": model}
    else:
        raise InvalidParameterError(f"Unknown separation model '{model}'")
    base = audio.name or "mix"
    tracks = {k: AudioBuffer(s, rate, name=f"{base}-{k}") for k, s in stems.items()}
    ctx.progress(1.0, "done")
    return [Tracks(name=f"stems ({model})", tracks=tracks, metadata=meta)]
