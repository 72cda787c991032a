"""DDSP transfer: the input's f0 (FCPE) and A-weighted loudness drive a trained timbre model; returns a Tracks layer.

The decoder runs over the whole control sequence at once (it is small: 10 ms frames); audio is synthesised in
blocks of ``BLOCK_S`` seconds with the oscillator phase carried over, so memory stays bounded on long inputs.
"""

from __future__ import annotations

import numpy as np
import torch

from workbench.core.audio import AudioBuffer
from workbench.core.errors import ModelUnavailableError
from workbench.core.layers import Tracks
from workbench.core.plugin_api import JobContext
from workbench.core.resample import resample_array

from .features import HOP, SAMPLE_RATE, estimate_f0, fill_unvoiced, loudness_db
from .model import DDSP, load_model
from .synth import filtered_noise, harmonic_synth
from .timbres import available_timbres

BLOCK_S = 20.0
UNVOICED_ATTENUATION_DB = 20.0  # breaths/consonants must not turn into notes


def load_timbre(name: str, ctx: JobContext | None = None) -> DDSP:
    """The timbre model called ``name`` on the context's device (cached per process)."""
    paths = available_timbres()
    if name not in paths:
        raise ModelUnavailableError(
            f"No timbre model called '{name}'. Available: {', '.join(paths) or 'none'} "
            "(train one with 'learn this timbre' or scripts/train_ddsp.py)")
    device = str(ctx.device) if ctx is not None else "cpu"
    key = f"ddsp:{paths[name]}:{paths[name].stat().st_mtime_ns}"  # a retrained timbre is a new key
    if ctx is None or ctx.models is None:
        return load_model(paths[name], device)
    return ctx.models.cached(key, device, lambda: load_model(paths[name], device))


def controls_for(y16: np.ndarray, model: DDSP, pitch_shift: float, loudness_offset: float, ctx=None):
    """(f0 Hz, loudness dB, voiced) frames for 16 kHz ``y16``, shifted and levelled for ``model``."""
    f0, voiced = estimate_f0(y16, ctx)
    ld = loudness_db(y16)
    n = min(len(f0), len(ld))
    f0, voiced, ld = fill_unvoiced(f0[:n], voiced[:n]) * 2.0 ** (pitch_shift / 12.0), voiced[:n], ld[:n].copy()
    if voiced.any():  # match the input's level to the level the timbre was trained at
        ld += model.config.loudness_mean - float(np.mean(ld[voiced]))
    ld[~voiced] -= UNVOICED_ATTENUATION_DB
    return f0.astype(np.float32), (ld + loudness_offset).astype(np.float32), voiced


@torch.inference_mode()
def synthesize(model: DDSP, f0: np.ndarray, ld: np.ndarray, ctx: JobContext | None = None,
               progress_span=(0.3, 1.0)) -> np.ndarray:
    """Audio (float32, 16 kHz, ``len(f0) * HOP`` samples) for control frames f0 (Hz) and loudness (dB)."""
    dev = next(model.parameters()).device
    f0_t = torch.from_numpy(f0)[None].to(dev)
    amp, dist, noise = model.controls(f0_t, torch.from_numpy(ld)[None].to(dev))
    block = int(BLOCK_S * SAMPLE_RATE / HOP)
    phase = torch.zeros(1, device=dev)
    out = []
    for start in range(0, len(f0), block):
        sl = slice(start, start + block)
        harm, phase = harmonic_synth(f0_t[:, sl], amp[:, sl], dist[:, sl], HOP, SAMPLE_RATE, phase0=phase,
                                     return_phase=True)
        out.append(harm + filtered_noise(noise[:, sl], HOP))
        if ctx is not None:
            lo, hi = progress_span
            ctx.progress(lo + (hi - lo) * 0.9 * min(1.0, (start + block) / len(f0)), "synthesising")
    audio = model.reverb(torch.cat(out, dim=1))
    return audio[0].float().cpu().numpy()


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Tracks]:
    ctx.progress(0.0, "loading timbre")
    model = load_timbre(params["timbre"], ctx)
    y16 = audio.mono(SAMPLE_RATE).samples[0]
    ctx.progress(0.05, "pitch and loudness")
    f0, ld, voiced = controls_for(y16, model, params["pitch_shift"], params["loudness_offset"], ctx)
    ctx.progress(0.3, "synthesising")
    out = synthesize(model, f0, ld, ctx)[: len(y16)]
    if audio.sample_rate != SAMPLE_RATE:
        out = resample_array(out[None], SAMPLE_RATE, audio.sample_rate)[0]
    peak = float(np.max(np.abs(out))) if len(out) else 0.0
    if peak > 0.99:  # never clip the new track
        out = out * (0.99 / peak)
    name = f"{params['timbre']} (DDSP)"
    meta = {"timbre": params["timbre"], "pitch_shift": params["pitch_shift"],
            "loudness_offset": params["loudness_offset"], "voiced_fraction": float(np.mean(voiced)) if len(voiced) else 0.0}
    buf = AudioBuffer(out.astype(np.float32), audio.sample_rate, name=name)
    ctx.progress(1.0, "done")
    return [Tracks(name=name, tracks={name: buf}, metadata=meta)]
