"""Music tagging with musicnn (MTT): clip-level tag scores and per-3-s-segment scores (Tags layer)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError, ModelUnavailableError
from workbench.core.layers import Layer, Tags
from workbench.core.models import sha256_of
from workbench.core.plugin_api import JobContext

from .models import MODELS
from .musicnn import HOP, MTT_LABELS, PATCH_FRAMES, RATE, MusiCNN, log_mel, patches

MODEL_ID = "musicnn-mtt"
FILE = "musicnn_mtt.safetensors"


def model_path(ctx: JobContext) -> Path:
    """The converted weights: shipped in resources/models, else a copy imported into the model store."""
    from workbench.core.resources import resources_dir

    local = resources_dir() / "models" / FILE
    if local.is_file():
        expected = MODELS[0].sha256[FILE]
        if sha256_of(local) != expected:
            raise ModelUnavailableError(f"{local} does not match its recorded sha256; rerun scripts/convert_musicnn.py")
        return local
    if ctx.models is not None:
        return ctx.models.path(MODEL_ID)
    raise ModelUnavailableError(
        f"The converted musicnn model is missing ({local}). Create it with: python scripts/convert_musicnn.py "
        f"convert (needs pip install --no-deps musicnn==0.1.0), or workbench models import {MODEL_ID} FILE"
    )


def load_model(ctx: JobContext) -> MusiCNN:
    from safetensors.torch import load_file

    def load() -> MusiCNN:
        net = MusiCNN()
        net.load_state_dict(load_file(str(model_path(ctx))), strict=False)  # BN step counters are not stored
        return net.eval().to(ctx.device)

    return ctx.models.cached(MODEL_ID, ctx.device, load) if ctx.models is not None else load()


@torch.inference_mode()
def taggram(net: MusiCNN, samples: np.ndarray, rate: int, hop_s: float, ctx: JobContext,
            batch: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """(segment start times in s, (segments, 50) probabilities) for a mono signal."""
    x = AudioBuffer(samples, rate).mono(RATE).samples[0]
    mel = log_mel(x)
    hop_frames = max(1, int(round(hop_s * RATE / HOP)))
    starts, segs = patches(mel, hop_frames if hop_s < 3.0 else PATCH_FRAMES)
    out = np.empty((len(segs), len(MTT_LABELS)), np.float32)
    for b in range(0, len(segs), batch):
        ctx.progress(0.1 + 0.85 * b / len(segs), "musicnn")
        out[b:b + batch] = net(torch.from_numpy(segs[b:b + batch]).to(ctx.device)).cpu().numpy()
    return starts * HOP / RATE, out


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    """Tags layer: clip scores = mean of the segment scores (as musicnn's own tagger); segments 3 s long."""
    if audio.duration < 0.1:
        raise InvalidParameterError("Music tagging needs at least 0.1 s of audio (3 s or more for good tags)")
    ctx.progress(0.0, "loading musicnn")
    net = load_model(ctx)
    hop_s = float(params.get("hop_s", 3.0))
    times, scores = taggram(net, audio.mono_samples, audio.sample_rate, hop_s, ctx)
    clip = scores.mean(axis=0)
    order = np.argsort(-clip)[: int(params.get("top_k", 50))]
    layer = Tags(name="music tags", labels=[MTT_LABELS[i] for i in order], scores=clip[order],
                 frame_times=times, frame_scores=scores[:, order], frame_duration=min(hop_s, 3.0),
                 metadata={"model": MODEL_ID, "segment_s": PATCH_FRAMES * HOP / RATE, "hop_s": hop_s})
    ctx.progress(1.0, "done")
    return [layer]
