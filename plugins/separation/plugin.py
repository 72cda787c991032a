"""Source separation: returns one Tracks layer whose stems are AudioBuffers at the input rate and length."""

from __future__ import annotations

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Layer, Tracks
from workbench.core.plugin_api import JobContext

from . import online, spleeter
from .unet import load_unets

def _cached(key: str, ctx: JobContext, factory):
    """Loaded networks live in the model store's one cache (LRU under a memory budget)."""
    if ctx.models is None:
        return factory()
    return ctx.models.cached(key, ctx.device, factory)


def spleeter_nets(ctx: JobContext):
    def load():
        root = None
        if ctx.models is not None:
            root = ctx.models.folder("spleeter-2stems").parent.parent  # checksum-checked package folder
        return load_unets(ctx.device, root)

    return _cached("spleeter-2stems", ctx, load)


def _online_net(model_id: str, ctx: JobContext):
    return _cached(model_id, ctx, lambda: online.load_online(model_id, ctx))


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Separate ``audio`` into stems with the chosen model (see the manifest)."""
    if audio.num_samples < audio.sample_rate // 10:
        raise InvalidParameterError("Separation needs at least 0.1 s of audio")
    model = params.get("model", "spleeter-2stems")
    x, rate = audio.samples, audio.sample_rate
    ctx.progress(0.0, f"loading {model}")
    base = audio.name or "mix"
    if model == "spleeter-2stems":
        nets = spleeter_nets(ctx)
        meta = {"model": model, "sum_tolerance": 1e-5,
                "note": "accompaniment = mixture - vocals; vocal mask above 11 kHz = its magnitude-weighted 8.3-11 kHz mean"}

        def partial(v, a) -> None:  # the stems so far: playable and drawn while the rest separates
            ctx.emit([_stems_layer({"vocals": v, "accompaniment": a}, rate, base, model, meta)])

        v, a = spleeter.separate(nets, x, rate, ctx, params.get("chunk_s", 30.0), params.get("overlap_s", 2.0),
                                 on_partial=partial)
        stems = {"vocals": v, "accompaniment": a}
    elif model == online.DEMUCS_ID:
        stems = online.run_demucs(_online_net(model, ctx), x, rate, ctx)
        meta = {"model": model}
    elif model == online.TASNET_ID:
        stems = online.run_tasnet(_online_net(model, ctx), x, rate, ctx, params.get("chunk_s", 30.0),
                                  params.get("overlap_s", 2.0))
        meta = {"model": model}
    else:
        raise InvalidParameterError(f"Unknown separation model '{model}'")
    ctx.progress(1.0, "done")
    return [_stems_layer(stems, rate, base, model, meta)]


def _stems_layer(stems: dict, rate: int, base: str, model: str, meta: dict) -> Tracks:
    tracks = {k: AudioBuffer.adopt(s, rate, name=f"{base}-{k}") for k, s in stems.items()}  # fresh arrays
    return Tracks(name=f"stems ({model})", tracks=tracks, metadata=dict(meta))
