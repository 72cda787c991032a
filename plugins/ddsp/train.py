""""Learn this timbre": fit a DDSP model to a recording of one monophonic instrument.

Runs on the CPU in minutes for the default small model (faster on a GPU). The last ``holdout`` fraction of the
recording is kept out of training and used for the reported held-out multi-scale spectral loss. Progress goes
through ``on_step(step, total, loss)``; ``cancelled()`` returning True stops training with :class:`JobCancelled`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from workbench.core.errors import JobCancelled, WorkbenchError
from workbench.core.resample import resample_array
from workbench.core.torch_import import import_compiler_stack

from .features import HOP, SAMPLE_RATE, estimate_f0, fill_unvoiced, loudness_db
from .loss import multiscale_spectral_loss
from .model import DDSP, DDSPConfig

SEGMENT_FRAMES = 50  # 0.5 s training excerpts
MIN_SECONDS = 5.0


@dataclass
class Features:
    """A 16 kHz recording with its frame features (10 ms frames)."""

    audio: np.ndarray  # (N,) float32
    f0: np.ndarray  # (T,) Hz, unvoiced frames filled
    loudness: np.ndarray  # (T,) dB
    voiced: np.ndarray  # (T,) bool


@dataclass
class TrainResult:
    model: DDSP
    losses: list[float] = field(default_factory=list)  # training loss per step
    heldout_loss: float = float("nan")
    seconds: float = 0.0
    steps_per_s: float = 0.0


def analyse(y: np.ndarray, sample_rate: int, ctx=None) -> Features:
    """Resample to 16 kHz and compute f0 (FCPE) and A-weighted loudness."""
    y16 = resample_array(np.asarray(y, np.float32)[None], sample_rate, SAMPLE_RATE)[0] if sample_rate != SAMPLE_RATE \
        else np.asarray(y, np.float32)
    f0, voiced = estimate_f0(y16, ctx)
    ld = loudness_db(y16)
    n = min(len(f0), len(ld))
    return Features(y16, fill_unvoiced(f0[:n], voiced[:n]), ld[:n], voiced[:n])


def segments(feat: Features, frames: int = SEGMENT_FRAMES, hop_frames: int | None = None,
             min_voiced: float = 0.3) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(f0 (S, frames), loudness (S, frames), audio (S, frames * HOP)) excerpts with enough voiced frames."""
    hop_frames = hop_frames or frames // 2
    usable = min(len(feat.f0), len(feat.audio) // HOP)
    f0s, lds, auds = [], [], []
    for s in range(0, usable - frames + 1, hop_frames):
        if feat.voiced[s:s + frames].mean() < min_voiced:
            continue
        f0s.append(feat.f0[s:s + frames])
        lds.append(feat.loudness[s:s + frames])
        auds.append(feat.audio[s * HOP:(s + frames) * HOP])
    if not f0s:
        raise WorkbenchError("The recording has no stretch of 1 s with a clear pitch: is it one monophonic instrument?")
    return (torch.from_numpy(np.stack(f0s)), torch.from_numpy(np.stack(lds)), torch.from_numpy(np.stack(auds)))


@torch.no_grad()
def evaluate(model: DDSP, feat: Features, device: str = "cpu", batch: int = 16) -> float:
    """Mean multi-scale spectral loss of the model re-synthesising ``feat`` (1 s excerpts, fixed noise seed)."""
    f0, ld, audio = segments(feat, hop_frames=SEGMENT_FRAMES)
    model.eval()
    gen = torch.get_rng_state()
    torch.manual_seed(0)
    total, count = 0.0, 0
    for i in range(0, len(f0), batch):
        out = model(f0[i:i + batch].to(device), ld[i:i + batch].to(device))
        total += float(multiscale_spectral_loss(out, audio[i:i + batch].to(device))) * len(out)
        count += len(out)
    torch.set_rng_state(gen)
    return total / count


def train_timbre(y: np.ndarray, sample_rate: int, name: str = "timbre", steps: int = 2000, batch: int = 8,
                 lr: float = 2e-3, holdout: float = 0.1, device: str = "cpu", seed: int = 0,
                 config: DDSPConfig | None = None,
                 on_step: Callable[[int, int, float], None] | None = None,
                 cancelled: Callable[[], bool] | None = None, ctx=None) -> TrainResult:
    """Train a timbre model on mono ``y`` (any rate). Returns the model, the loss history and the held-out loss."""
    y = np.asarray(y, np.float32)
    if y.ndim != 1:
        raise WorkbenchError("Training needs a mono signal")
    if len(y) < MIN_SECONDS * sample_rate:
        raise WorkbenchError(f"The recording is too short to learn a timbre: give at least {MIN_SECONDS:g} s")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    feat = analyse(y, sample_rate, ctx)
    split = int(len(feat.f0) * (1.0 - holdout))
    train = Features(feat.audio[:split * HOP], feat.f0[:split], feat.loudness[:split], feat.voiced[:split])
    held = Features(feat.audio[split * HOP:], feat.f0[split:], feat.loudness[split:], feat.voiced[split:])
    f0, ld, audio = segments(train, hop_frames=SEGMENT_FRAMES // 4)
    cfg = config or DDSPConfig()
    cfg.name = name
    voiced_ld = train.loudness[train.voiced] if train.voiced.any() else train.loudness
    cfg.loudness_mean, cfg.loudness_std = float(voiced_ld.mean()), float(max(voiced_ld.std(), 1.0))
    model = DDSP(cfg).to(device)
    import_compiler_stack()  # the optimizer imports torch._dynamo: once, with the collector paused
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=lr * 0.05)
    result = TrainResult(model)
    t0 = time.perf_counter()
    model.train()
    for step in range(steps):
        if cancelled is not None and cancelled():
            raise JobCancelled()
        idx = torch.from_numpy(rng.integers(0, len(f0), batch))
        out = model(f0[idx].to(device), ld[idx].to(device))
        loss = multiscale_spectral_loss(out, audio[idx].to(device))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 2.0)
        opt.step()
        sched.step()
        result.losses.append(float(loss.detach()))
        if on_step is not None:
            on_step(step + 1, steps, result.losses[-1])
    result.seconds = time.perf_counter() - t0
    result.steps_per_s = steps / max(result.seconds, 1e-9)
    try:
        result.heldout_loss = evaluate(model, held, device)
    except WorkbenchError:  # held-out part without a clear pitch: report on the training part instead
        result.heldout_loss = float("nan")
    model.eval()
    cfg.training.update(steps=steps, batch=batch, lr=lr, seconds=round(result.seconds, 1),
                        final_train_loss=round(float(np.mean(result.losses[-50:])), 4),
                        heldout_loss=round(result.heldout_loss, 4), train_excerpts=len(f0),
                        recording_s=round(len(y) / sample_rate, 1))
    return result
