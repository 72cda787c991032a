"""Live vocal separation: the Spleeter 2-stem U-Net run on short blocks of the stream, heard on an output device.

:class:`LiveSeparator` is a :class:`StreamProcessor` at 44.1 kHz. Every ``block`` seconds it separates a
window of ``WINDOW_FRAMES`` STFT frames (~1.5 s: the new block plus past context) and outputs the part of the
window that ends ``LOOKAHEAD`` samples before its right edge (where the STFT lacks future context), cross-faded
with the previous block's tail. The stem goes to ``on_output`` (the live panel sets it to its monitor player, the
host's :class:`workbench.live.monitor.OutputPlayer`) and nothing else is returned, so the added latency is ``block + LOOKAHEAD / 44100 +
compute time + output buffering``; :attr:`LiveSeparator.added_latency` holds the latest measured value (s).

Threading: ``push``/``flush`` in the streaming driver's worker thread; the player's callback in PortAudio's.
"""

from __future__ import annotations

import time

import numpy as np

from workbench.core.chunks import crossfade
from workbench.core.errors import WorkbenchError

from . import spleeter

RATE = 44100  # Hz, Spleeter's rate
WINDOW_FRAMES = 64  # STFT frames per network input (multiple of 64 for the U-Net's six stride-2 levels)
LOOKAHEAD = 4096  # samples: one FFT length of future context before a sample is output
FADE = 256  # samples cross-faded between consecutive blocks


class LiveSeparator:
    """Block-streaming Spleeter: ``stem`` is 'vocals' or 'accompaniment' (mix minus vocals).

    ``on_output(samples, t0)`` receives each output block (mono, 44.1 kHz, ``t0`` s into the stream), e.g.
    :meth:`OutputPlayer.write` wrapped by the caller; it is called from the worker thread.
    """

    sample_rate = RATE
    output_rate = RATE  # a monitor processor: its blocks go to ``on_output`` for playback

    def __init__(self, nets: dict, device: str = "cpu", stem: str = "vocals", block_seconds: float = 0.5,
                 on_output=None):
        if stem not in ("vocals", "accompaniment"):
            raise WorkbenchError(f"Live separation stem must be 'vocals' or 'accompaniment', not '{stem}'")
        import torch

        self._torch, self._spleeter = torch, spleeter
        self.nets, self.device, self.stem = nets, device, stem
        self.block = int(round(block_seconds * RATE))
        self.window = (WINDOW_FRAMES - 1) * spleeter.HOP  # samples whose STFT has WINDOW_FRAMES frames
        self.on_output = on_output
        self._buffer = np.zeros(self.window, np.float32)  # past audio, newest at the end
        self._new = 0  # samples received but not yet output
        self._origin: float | None = None
        self._emitted = 0  # samples output so far
        self._tail = np.zeros(0, np.float32)  # previous block's cross-fade tail
        self.compute_seconds: list[float] = []
        self.added_latency = 0.0

    def push(self, samples, t0: float) -> list:
        if self._origin is None:
            self._origin = float(t0)
        x = np.asarray(samples, np.float32).reshape(-1)
        self._new += len(x)
        self._buffer = np.concatenate([self._buffer, x])[-(self.window + self._new):]
        while self._new >= self.block + LOOKAHEAD:
            self._separate_block(self.block)
        return []

    def flush(self) -> list:
        if self._origin is not None and self._new:
            self._buffer = np.concatenate([self._buffer, np.zeros(LOOKAHEAD, np.float32)])
            self._new += LOOKAHEAD
            while self._new > LOOKAHEAD:
                self._separate_block(min(self.block, self._new - LOOKAHEAD))
        return []

    def _separate_block(self, n: int) -> None:
        """Separate the window holding the oldest ``n`` not-yet-output samples and emit them."""
        began = time.perf_counter()
        torch, sp = self._torch, self._spleeter
        end = len(self._buffer) - self._new + n + LOOKAHEAD  # the window ends LOOKAHEAD after the block
        win = self._buffer[max(0, end - self.window):end]
        if len(win) < self.window:  # stream start: silence before it
            win = np.concatenate([np.zeros(self.window - len(win), np.float32), win])
        with torch.inference_mode():
            x = torch.from_numpy(np.stack([win, win])).to(self.device)
            window = torch.hann_window(sp.N_FFT, device=self.device)
            spec = torch.stft(x, sp.N_FFT, sp.HOP, window=window, center=True, pad_mode="constant",
                              return_complex=True)
            vocals = torch.istft(spec * vocal_mask(self.nets, spec), sp.N_FFT, sp.HOP, window=window,
                                 center=True, length=x.shape[-1]).mean(dim=0).cpu().numpy()
        out = vocals if self.stem == "vocals" else win - vocals
        edge = len(out) - LOOKAHEAD
        block, tail = out[edge - n:edge].copy(), out[edge:edge + FADE]
        if len(self._tail) == FADE and n >= FADE:  # cross-fade with the previous block's look-ahead tail
            block[:FADE] = crossfade(self._tail, block[:FADE])
        self._tail = tail.copy()
        t0 = self._origin + self._emitted / RATE
        self._emitted += n
        self._new -= n
        compute = time.perf_counter() - began
        self.compute_seconds.append(compute)
        self.added_latency = (self.block + LOOKAHEAD) / RATE + compute
        if self.on_output is not None:
            self.on_output(block.astype(np.float32), t0)


def vocal_mask(nets: dict, spec):
    """Soft vocal mask for a short complex STFT (2, bins, frames): Spleeter's ratio mask over the modelled
    band (as in :func:`spleeter.vocal_mask`) with frames padded to a multiple of 64
    instead of 512, so a short window costs a short network pass; the band above ~11 kHz takes the frame's
    magnitude-weighted mean mask of 8.3-11 kHz."""
    import torch

    BINS, EPS = spleeter.BINS, spleeter.EPS

    frames = spec.shape[-1]
    seg = WINDOW_FRAMES
    mag = torch.nn.functional.pad(spec[:, :BINS].abs(), (0, (-frames) % seg))
    x = mag.reshape(2, BINS, -1, seg).permute(2, 0, 3, 1)  # (B, 2, T, F)
    est_v = nets["vocals"](x) ** 2
    est_a = nets["accompaniment"](x) ** 2
    m = (est_v + EPS / 2) / (est_v + est_a + EPS)
    m = m.permute(1, 3, 0, 2).reshape(2, BINS, -1)[..., :frames]
    top = spec[:, 3 * BINS // 4:BINS].abs()
    upper = (m[:, 3 * BINS // 4:] * top).sum(dim=1, keepdim=True) / (top.sum(dim=1, keepdim=True) + EPS)
    return torch.cat([m, upper.expand(-1, spec.shape[1] - BINS, -1)], dim=1)


def load_separator(device: str = "cpu", stem: str = "vocals", block_seconds: float = 0.5, on_output=None,
                   store=None) -> LiveSeparator:
    """A :class:`LiveSeparator` with this plugin's Spleeter networks (from the model store's cache)."""
    from workbench.core.plugin_api import JobContext

    from .plugin import spleeter_nets

    nets = spleeter_nets(JobContext(device=device, models=store))
    return LiveSeparator(nets, device, stem, block_seconds, on_output)


def make_processor(params: dict, ctx) -> LiveSeparator:
    """The live panel's factory (``LiveProcessor`` contribution); the panel sets ``on_output`` to its player."""
    return load_separator(ctx.device, params.get("stem", "vocals"), float(params.get("block_seconds", 0.5)),
                          store=ctx.models)
