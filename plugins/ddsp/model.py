"""The DDSP timbre model: a GRU decoder from (f0, loudness) to synthesiser controls, and its safetensors I/O.

A model is two files: ``NAME.safetensors`` (weights) and ``NAME.json`` (config: sizes, feature statistics,
training record). Frames are 10 ms at 16 kHz (see :mod:`.features`).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.nn as nn

from .features import HOP, SAMPLE_RATE
from .synth import Reverb, filtered_noise, harmonic_synth, scaled_sigmoid


@dataclass
class DDSPConfig:
    """Sizes and feature statistics of a timbre model (saved as JSON next to the weights)."""

    name: str = "timbre"
    sample_rate: int = SAMPLE_RATE
    hop: int = HOP
    hidden: int = 64
    n_harmonics: int = 32
    noise_bands: int = 33
    reverb_s: float = 0.25
    loudness_mean: float = -40.0  # dB, over voiced training frames
    loudness_std: float = 15.0
    training: dict = field(default_factory=dict)  # command, steps, losses, data description

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> "DDSPConfig":
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def _mlp(n_in: int, n_hidden: int, layers: int = 2) -> nn.Sequential:
    mods: list[nn.Module] = []
    for i in range(layers):
        mods += [nn.Linear(n_in if i == 0 else n_hidden, n_hidden), nn.LayerNorm(n_hidden), nn.LeakyReLU(0.1)]
    return nn.Sequential(*mods)


class DDSP(nn.Module):
    """f0 (B, T) Hz + loudness (B, T) dB -> audio (B, T * hop) at the config's sample rate."""

    def __init__(self, config: DDSPConfig):
        super().__init__()
        self.config = config
        h = config.hidden
        self.in_f0, self.in_ld = _mlp(1, h), _mlp(1, h)
        self.gru = nn.GRU(2 * h, h, batch_first=True)
        self.out = _mlp(h + 2, h)
        self.proj = nn.Linear(h, 1 + config.n_harmonics + config.noise_bands)
        self.reverb = Reverb(int(config.reverb_s * config.sample_rate), config.sample_rate)

    def controls(self, f0: torch.Tensor, loudness: torch.Tensor):
        """(amplitude (B,T,1), harmonic distribution (B,T,K), noise magnitudes (B,T,F)) from the decoder."""
        c = self.config
        pitch = ((69.0 + 12.0 * torch.log2(f0.clamp_min(1.0) / 440.0)) / 127.0)[..., None]
        ld = ((loudness - c.loudness_mean) / c.loudness_std)[..., None]
        x = torch.cat([self.in_f0(pitch), self.in_ld(ld)], dim=-1)
        x, _ = self.gru(x)
        x = self.proj(self.out(torch.cat([x, pitch, ld], dim=-1)))
        x = scaled_sigmoid(x)
        amp, dist, noise = x[..., :1], x[..., 1:1 + c.n_harmonics], x[..., 1 + c.n_harmonics:]
        return amp, dist, noise / 100.0  # noise starts quiet so harmonics are learnt first

    def forward(self, f0: torch.Tensor, loudness: torch.Tensor, reverb: bool = True) -> torch.Tensor:
        amp, dist, noise = self.controls(f0, loudness)
        c = self.config
        audio = harmonic_synth(f0, amp, dist, c.hop, c.sample_rate) + filtered_noise(noise, c.hop)
        return self.reverb(audio) if reverb else audio

    @property
    def n_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())


def save_model(model: DDSP, path: str | Path) -> tuple[Path, Path]:
    """Write ``path`` (.safetensors) and the JSON config beside it; returns both paths."""
    from safetensors.torch import save_file

    path = Path(path).with_suffix(".safetensors")
    path.parent.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().float().cpu().contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(path), metadata={"format": "workbench-ddsp-1"})
    cfg = path.with_suffix(".json")
    cfg.write_text(model.config.to_json())
    return path, cfg


def load_model(path: str | Path, device: str = "cpu") -> DDSP:
    """Load a timbre model saved by :func:`save_model` (safetensors only: no pickles)."""
    from workbench.core.errors import ModelUnavailableError
    from workbench.core.models import load_state_dict

    path = Path(path).with_suffix(".safetensors")
    cfg = path.with_suffix(".json")
    if not path.is_file() or not cfg.is_file():
        raise ModelUnavailableError(f"Timbre model '{path.stem}' is incomplete: need {path.name} and {cfg.name}")
    model = DDSP(DDSPConfig.from_json(cfg.read_text()))
    model.load_state_dict(load_state_dict(path))
    return model.to(device).eval()


def db_to_gain(db: float) -> float:
    return math.pow(10.0, db / 20.0)
