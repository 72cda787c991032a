"""Live vocal separation: the Spleeter 2-stem U-Net run on short blocks of the stream, heard on an output device.

:class:`LiveSeparator` is a :class:`StreamProcessor` at 44.1 kHz. Every ``block`` (75 ms) it separates a
window of ``window_frames`` STFT frames (64, ~1.5 s: the new block plus past context) with the vocal network's
soft mask (``mask``; Spleeter's two-network ratio mask is the other choice) and outputs the part of
the window that ends ``lookahead`` samples (23 ms) before its right edge (where the STFT lacks future context),
cross-faded with the previous block's tail. The stem goes to ``on_output`` (the live panel sets it to its monitor
player, the host's :class:`workbench.live.monitor.OutputPlayer`) and nothing else is returned, so the added
latency is ``block + lookahead + compute time + output buffering``; :attr:`LiveSeparator.added_latency` holds
the latest measured value (s) without the output buffering.

Small overlapping blocks make the network run ~7x as often as 0.5 s blocks did (~42 ms of one core per run of
the vocal network, on one kernel thread, its decoder on the newest frames only). When the CPU cannot keep up
(audio for several blocks waiting), one run takes all the waiting blocks (up to half the window), so the delay
grows but stays bounded instead of piling up. ``benchmarks/eval_live_separation.py`` gives SI-SDR and compute
against block, look-ahead, window and mask.

Threading: ``push``/``flush`` in the streaming driver's worker thread; the player's callback in PortAudio's.
"""

from __future__ import annotations

import time

import numpy as np

from workbench.core.chunks import crossfade
from workbench.core.errors import WorkbenchError

from . import spleeter

RATE = 44100  # Hz, Spleeter's rate
WINDOW_FRAMES = 64  # STFT frames per network input (~1.5 s: the new block plus past context); the U-Net's six
# stride-2 levels need a multiple of 64
# Samples (23 ms) of future audio in the window after the output block. eval_live_separation.py with 75 ms
# blocks: 50 ms 3.9 dB vocals / 1.9 dB accompaniment SI-SDR, 23 ms 3.5 / 0.9 dB; bench_live.py capture to
# output 267-289 ms with 50 ms, 233-242 ms with 23 ms (goal < 250 ms).
LOOKAHEAD = 1024
# Output block: the window advances (and the network runs) this often. eval_live_separation.py (4 mixtures,
# look-ahead 50 ms): 0.1 s 4.0 dB vocals SI-SDR, 0.075 s 3.9 dB, 0.05 s 3.8 dB but 0.91 of the block in compute.
BLOCK_SECONDS = 0.075
MASKS = ("ratio", "vocal-net")
MASK = "vocal-net"  # one network pass: ~half the compute of "ratio" for ~0.4 dB less vocal SI-SDR
FADE = 256  # samples cross-faded between consecutive blocks (at most the look-ahead)


class LiveSeparator:
    """Block-streaming Spleeter: ``stem`` is 'vocals' or 'accompaniment' (mix minus vocals).

    ``on_output(samples, t0)`` receives each output block (mono, 44.1 kHz, ``t0`` s into the stream), e.g.
    :meth:`OutputPlayer.write` wrapped by the caller; it is called from the worker thread. ``lookahead``
    (samples) trades latency for quality, ``window_frames`` (STFT frames seen per run, 64 or 128) compute for
    quality, and ``mask`` picks Spleeter's ratio of both networks ('ratio') or the vocal network's own soft mask
    alone ('vocal-net': one network pass instead of two). ``benchmarks/eval_live_separation.py`` prints SI-SDR
    against them.
    """

    sample_rate = RATE
    output_rate = RATE  # a monitor processor: its blocks go to ``on_output`` for playback
    resample_quality = "low-delay"  # the driver's resampler: ~7 ms held back instead of ~17 ms (flat to 16 kHz)
    # The U-Net on 64 frames: 46 ms a block on one thread, 103-133 ms (p90 200-660 ms) on two when another
    # program holds a core (thread hand-offs wait for it); 61 ms on two on an idle machine.
    kernel_threads = 1

    def __init__(self, nets: dict, device: str = "cpu", stem: str = "vocals", block_seconds: float = BLOCK_SECONDS,
                 on_output=None, lookahead: int = LOOKAHEAD, window_frames: int = WINDOW_FRAMES,
                 mask: str = MASK):
        if stem not in ("vocals", "accompaniment"):
            raise WorkbenchError(f"Live separation stem must be 'vocals' or 'accompaniment', not '{stem}'")
        if not 0.01 <= block_seconds <= 5.0:
            raise WorkbenchError(f"Live separation block must be 0.01-5 s, not {block_seconds:g} s")
        if int(window_frames) < 64 or int(window_frames) % 64 or int(lookahead) < 0:
            raise WorkbenchError(f"Live separation needs window_frames a multiple of 64 (the U-Net's six stride-2 "
                                 f"levels) and lookahead >= 0 (got {window_frames}, {lookahead})")
        if mask not in MASKS:
            raise WorkbenchError(f"Live separation mask must be one of {', '.join(MASKS)}, not '{mask}'")
        import torch

        self._torch, self._spleeter = torch, spleeter
        self.nets, self.device, self.stem, self.mask = nets, device, stem, mask
        self.block = int(round(block_seconds * RATE))
        self.lookahead = int(lookahead)
        self.fade = min(FADE, self.lookahead)
        self.window = (int(window_frames) - 1) * spleeter.HOP  # samples whose STFT has window_frames frames
        if self.window < self.block + self.lookahead:
            raise WorkbenchError(f"Live separation window ({window_frames} frames) is shorter than block + "
                                 "look-ahead; use more frames")
        self.max_block = max(self.block, (self.window // 2) // self.block * self.block)
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
        while self._new >= self.block + self.lookahead:
            # Behind (a slow run, a busy CPU): one run takes every whole block waiting, up to half the window,
            # so the stream keeps up at a larger delay instead of falling further behind.
            waiting = (self._new - self.lookahead) // self.block * self.block
            self._separate_block(min(waiting, self.max_block))
        return []

    def flush(self) -> list:
        if self._origin is not None and self._new:
            self._buffer = np.concatenate([self._buffer, np.zeros(self.lookahead, np.float32)])
            self._new += self.lookahead
            while self._new > self.lookahead:
                self._separate_block(min(self.max_block, self._new - self.lookahead))
        return []

    def warm_up(self) -> None:
        """One window of silence through the network, so that the stream's first block does not pay for the
        kernels' first-call set-up and timing (_FastestKernel: ~0.2 s here), which made the output underrun
        at the start."""
        self._vocals(np.zeros(self.window, np.float32), self.block)

    def _frames_for(self, n: int) -> int:
        """STFT frames at the window's end that reach the output: the last ``n`` samples before the look-ahead
        and the cross-fade tail after them (a frame k spans k*HOP -+ N_FFT/2 samples)."""
        sp = self._spleeter
        first = self.window - self.lookahead - n  # first output sample
        frames = self.window // sp.HOP + 1
        return frames - max(0, (first - sp.N_FFT // 2) // sp.HOP)

    def _vocals(self, win: np.ndarray, n: int) -> np.ndarray:
        """The vocal estimate of one window (mono float32, the window's length), exact over the part that
        ``n`` output samples and their cross-fade use (the mask of older frames is left at zero)."""
        torch, sp = self._torch, self._spleeter
        tail = self._frames_for(n)
        with torch.inference_mode():
            x = torch.from_numpy(np.stack([win, win])).to(self.device)
            window = torch.hann_window(sp.N_FFT, device=self.device)
            spec = torch.stft(x, sp.N_FFT, sp.HOP, window=window, center=True, pad_mode="constant",
                              return_complex=True)
            return torch.istft(spec * vocal_mask(self.nets, spec, self.mask, tail), sp.N_FFT, sp.HOP,
                               window=window, center=True, length=x.shape[-1]).mean(dim=0).cpu().numpy()

    def _separate_block(self, n: int) -> None:
        """Separate the window holding the oldest ``n`` not-yet-output samples and emit them."""
        began = time.perf_counter()
        la, fade = self.lookahead, self.fade
        end = len(self._buffer) - self._new + n + la  # the window ends ``lookahead`` after the block
        win = self._buffer[max(0, end - self.window):end]
        if len(win) < self.window:  # stream start: silence before it
            win = np.concatenate([np.zeros(self.window - len(win), np.float32), win])
        vocals = self._vocals(win, n)
        out = vocals if self.stem == "vocals" else win - vocals
        edge = len(out) - la
        block, tail = out[edge - n:edge].copy(), out[edge:edge + fade]
        if fade and len(self._tail) == fade and n >= fade:  # cross-fade with the previous block's look-ahead tail
            block[:fade] = crossfade(self._tail, block[:fade])
        self._tail = tail.copy()
        t0 = self._origin + self._emitted / RATE
        self._emitted += n
        self._new -= n
        compute = time.perf_counter() - began
        self.compute_seconds.append(compute)
        self.added_latency = (n + la) / RATE + compute
        if self.on_output is not None:
            self.on_output(block.astype(np.float32), t0)


def vocal_mask(nets: dict, spec, mask: str = MASK, tail: int | None = None):
    """Soft vocal mask for a short complex STFT (2, bins, frames): Spleeter's ratio mask over the modelled
    band (as in :func:`spleeter.vocal_mask`) from one network pass over exactly the window's frames (no
    padding to 512), so a short window costs a short pass; the band above ~11 kHz takes the frame's
    magnitude-weighted mean mask of 8.3-11 kHz. ``mask='vocal-net'``: the vocal network's sigmoid mask alone
    (half the compute). ``tail``: only the last ``tail`` frames get their mask (the others 0), from a network
    pass whose decoder computes just those (SpleeterUNet.forward)."""
    import torch

    BINS, EPS = spleeter.BINS, spleeter.EPS

    x = spec[:, :BINS].abs().permute(0, 2, 1)[None]  # (1, 2, T, F)
    frames = x.shape[2]
    tail = frames if tail is None else max(1, min(frames, int(tail)))
    if mask == "vocal-net":
        m = (nets["vocals"](x, tail) / (x[:, :, -tail:] + EPS)).clamp(0.0, 1.0)
    else:
        est_v = nets["vocals"](x, tail) ** 2
        est_a = nets["accompaniment"](x, tail) ** 2
        m = (est_v + EPS / 2) / (est_v + est_a + EPS)
    if tail < frames:
        m = torch.cat([m.new_zeros(m.shape[0], m.shape[1], frames - tail, m.shape[3]), m], dim=2)
    m = m[0].permute(0, 2, 1)  # (2, F, T)
    top = spec[:, 3 * BINS // 4:BINS].abs()
    upper = (m[:, 3 * BINS // 4:] * top).sum(dim=1, keepdim=True) / (top.sum(dim=1, keepdim=True) + EPS)
    return torch.cat([m, upper.expand(-1, spec.shape[1] - BINS, -1)], dim=1)


def load_separator(device: str = "cpu", stem: str = "vocals", block_seconds: float = BLOCK_SECONDS,
                   on_output=None, store=None, **options) -> LiveSeparator:
    """A :class:`LiveSeparator` with this plugin's Spleeter networks (from the model store's cache)."""
    from workbench.core.plugin_api import JobContext

    from .plugin import spleeter_nets

    nets = spleeter_nets(JobContext(device=device, models=store))
    separator = LiveSeparator(nets, device, stem, block_seconds, on_output, **options)
    separator.warm_up()
    return separator


def make_processor(params: dict, ctx) -> LiveSeparator:
    """The live panel's factory (``LiveProcessor`` contribution); the panel sets ``on_output`` to its player."""
    options = {k: int(params[k]) for k in ("lookahead", "window_frames") if k in params}
    if "mask" in params:
        options["mask"] = str(params["mask"])
    return load_separator(ctx.device, params.get("stem", "vocals"),
                          float(params.get("block_seconds", BLOCK_SECONDS)), store=ctx.models, **options)
