"""Enhance plugin: a Tracks layer with the denoised speech ('clean'), at the input's rate, length and channels."""

from __future__ import annotations

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Layer, Tracks
from workbench.core.models import default_store
from workbench.core.plugin_api import JobContext
from workbench.core.resample import resample_array

from .postfilter import wiener_refine
from .rnnoise import SAMPLE_RATE, denoise

MODEL_ID = "rnnoise"


def library_path(ctx: JobContext) -> str:
    return str((ctx.models or default_store()).path(MODEL_ID))  # checksum-checked; clear error when missing


def enhance_samples(samples: np.ndarray, rate: int, ctx: JobContext, mix: float = 1.0,
                    refine: bool = True) -> np.ndarray:
    """Denoised (channels, n) float32 at ``rate``: resampled to 48 kHz for RNNoise and back, then (``refine``)
    the Wiener post-filter at ``rate``."""
    x = np.atleast_2d(np.asarray(samples, np.float32))
    n = x.shape[1]
    y = denoise(resample_array(x, rate, SAMPLE_RATE), library_path(ctx),
                progress=lambda f: ctx.progress(0.05 + 0.9 * f, "cleaning speech"))
    y = resample_array(y, SAMPLE_RATE, rate)[:, :n]
    y = np.pad(y, ((0, 0), (0, n - y.shape[1])))
    if refine:
        y = wiener_refine(x, y, rate)
    if mix < 1.0:
        y = mix * y + (1.0 - mix) * x
    return np.clip(y, -1.0, 1.0).astype(np.float32)


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]:
    if audio.num_samples < audio.sample_rate // 100:
        raise InvalidParameterError("Speech enhancement needs at least 10 ms of audio")
    mix, refine = float(params.get("mix", 1.0)), bool(params.get("refine", True))
    ctx.progress(0.0, "loading RNNoise")
    clean = enhance_samples(audio.samples, audio.sample_rate, ctx, mix, refine)
    name = f"{audio.name or 'audio'}-clean"
    ctx.progress(1.0, "done")
    return [Tracks(name="clean speech (rnnoise)", tracks={"clean": AudioBuffer(clean, audio.sample_rate, name=name)},
                   metadata={"plugin": "enhance", "model": MODEL_ID, "params": {"mix": mix, "refine": refine},
                             "latency_s": 0.0, "note": "RNNoise's 20 ms delay is removed"})]
