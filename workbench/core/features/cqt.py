"""Constant-Q transform in torch, following librosa.cqt's recursive multi-rate algorithm.

The signal is low-pass filtered and halved once per octave (a short linear-phase FIR); each octave's filters
(librosa's Hann-windowed complex wavelets, L1-normalised, same lengths and scaling, but not sparsified: see
CqtPlan._octave) are applied at that octave's rate as real matrix multiplies of the frames by precomputed
time-domain kernels, each trimmed to the span of its filters. Frames can be taken at any list of column
centres, so a zoomed-out view only computes the columns it shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np
import torch

from ..errors import InvalidParameterError
from .blocks import submit
from .frequencies import cqt_alpha as _alpha, cqt_frequencies  # noqa: F401 (re-exported)
from .frequencies import HANN_BANDWIDTH as _HANN_BANDWIDTH
from .settings import SpectrogramSettings

RANGE_COLUMNS = 512  # a whole-signal CQT on the CPU of fewer than 2x this many columns: one pass, this thread
SPAN_COLUMNS = 16384  # longer ones: spans of this many columns one after another (bounded temporaries), and
PRODUCT_COLUMNS = 1024  # in each span the octaves' products in chunks of this many columns on worker threads
# Kernel samples dropped at either end of a frame: at most this fraction of a filter's energy. librosa's
# power-of-two frames are mostly empty: an octave's longest filter fills about half of one, its shortest a
# quarter. At 1e-7, 99 % of cells within 80 dB of the peak move by < 0.1 dB against the untrimmed kernels.
TRIM_ENERGY = 1e-7
_FIR_TAPS = 23  # halving filter: flat (0.001 dB) to 0.25 Nyquist, >80 dB stop from 0.75 Nyquist (all the CQT needs)


@lru_cache(maxsize=1)
def _halving_fir() -> np.ndarray:
    from scipy.signal import firwin

    return firwin(_FIR_TAPS, 0.5, window=("kaiser", 8.0)).astype(np.float32)


@lru_cache(maxsize=1)
def _halfband_pairs() -> tuple[float, tuple[tuple[int, float], ...]]:
    h = _halving_fir().astype(np.float64)
    c = len(h) // 2
    pairs = tuple((j, float(h[c + j])) for j in range(1, c + 1) if abs(h[c + j]) > 1e-12)
    assert all(j % 2 for j, _ in pairs), "a half-band filter's even taps (but the centre) are zero"
    return float(h[c]), pairs


def _halve_np(x: np.ndarray, block: int = 1 << 17) -> np.ndarray:
    """Half-band low-pass + 2:1 decimation of a float32 1-D array, same result as the conv1d path.

    The half-band filter's only even tap is the centre, so y[n] = h0 x[2n] + sum_m h(2m+1) (o[n+m] + o[n-m-1])
    with o the odd samples: contiguous multiply-adds of the deinterleaved signal (strided reads would not
    vectorise), in blocks of ``block`` outputs (512 KB: the passes stay in the L2 cache, and few calls mean few
    hand-overs of the interpreter lock to other threads; 32 K blocks ran two threads slower than one)."""
    centre, pairs = _halfband_pairs()
    n, p = (len(x) + 1) // 2, len(pairs)
    even = x[0::2]
    odd = np.zeros(len(x) // 2 + 2 * p, dtype=np.float32)  # p zeros either side
    odd[p:p + len(x) // 2] = x[1::2]
    out = np.empty(n, dtype=np.float32)
    tmp = np.empty(min(block, n), dtype=np.float32)
    for a in range(0, n, block):
        m = min(block, n - a)
        y, t = out[a:a + m], tmp[:m]
        np.multiply(even[a:a + m], np.float32(centre), out=y)
        for j, v in pairs:  # j odd: x[2n + j] = o[n + j // 2], x[2n - j] = o[n - j // 2 - 1]
            i = j // 2
            np.add(odd[p + a + i:p + a + i + m], odd[p + a - i - 1:p + a - i - 1 + m], out=t)
            t *= np.float32(v)
            y += t
    return out


@dataclass
class _Octave:
    decimation: int  # this octave's rate is sr / decimation
    n_fft: int  # frame length at that rate
    rows: slice  # rows of the output this octave fills
    offset: int  # the kernels apply to frame samples offset .. offset + width - 1 (outside: < TRIM_ENERGY)
    width: int
    kernel: torch.Tensor  # (width, 2 * filters) real: [Re | Im] time-domain kernel
    shortest: float  # full-rate length (samples) of this octave's shortest (highest) filter


class CqtPlan:
    """Precomputed kernels and resampling plan for one (sample rate, settings, device)."""

    def __init__(self, sr: int, settings: SpectrogramSettings, device: str = "cpu", trim: float = TRIM_ENERGY):
        self.sr, self.device, self.trim = int(sr), device, trim
        bpo = settings.bins_per_octave
        if bpo < 1 or settings.fmin <= 0:
            raise InvalidParameterError("CQT needs bins_per_octave >= 1 and fmin > 0 Hz")
        freqs = cqt_frequencies(sr, settings)
        if len(freqs) == 0:
            raise InvalidParameterError(f"CQT fmin {settings.fmin:g} Hz is too close to Nyquist ({sr / 2:g} Hz)")
        self.freqs, self.n_bins = freqs, len(freqs)
        alpha = _alpha(bpo)
        Q = 1.0 / alpha
        n_oct = int(math.ceil(self.n_bins / bpo))
        cutoff = float(freqs[-1] * (1 + 0.5 * _HANN_BANDWIDTH / Q))
        early = max(0, int(math.ceil(math.log2((sr / 2.0) / cutoff)) - 1) - 1)  # librosa's early downsampling
        sr_e = sr / 2**early
        lengths_e = Q * sr_e / freqs  # librosa scales the response by 1/sqrt(length at the early rate)
        fir = torch.from_numpy(_halving_fir())
        self.fir = fir.view(1, 1, -1).to(device)
        self.early = early
        self.octaves: list[_Octave] = []
        for i in range(n_oct):
            hi = self.n_bins - i * bpo
            lo = max(0, hi - bpo)
            dec = 2 ** (early + i)
            self.octaves.append(self._octave(freqs[lo:hi], sr / dec, dec, 2**i, lengths_e[lo:hi], Q, slice(lo, hi)))
        self.max_decimation = 2 ** (early + n_oct - 1)
        # full-rate samples needed either side of a column centre (frames + FIR support of the cascade)
        self.margin = max(o.n_fft * o.decimation for o in self.octaves) // 2 + _FIR_TAPS * self.max_decimation * 2

    def _octave(self, freqs, rate, dec, rel, lengths_e, Q, rows) -> _Octave:
        lengths = Q * rate / freqs
        n_fft = int(2.0 ** math.ceil(math.log2(lengths.max())))
        basis = np.zeros((len(freqs), n_fft), dtype=np.complex128)
        for k, (ln, f) in enumerate(zip(lengths, freqs)):
            n = np.arange(-ln // 2, ln // 2, dtype=float)
            sig = np.exp(1j * 2 * np.pi * f / rate * n)
            sig *= np.hanning(len(sig) + 1)[:-1] if len(sig) > 1 else 1.0  # periodic Hann
            sig /= np.abs(sig).sum()
            left = (n_fft - len(sig)) // 2
            basis[k, left:left + len(sig)] = sig * (ln / n_fft)
        # librosa zeroes the smallest 1 % (L1) of this basis to make its FFT-domain product sparse; that spreads
        # each kernel over the whole frame. Unsparsified, a kernel lives within its filter's span: trimmed there,
        # the frame products need 52 % (36 bins an octave) to 72 % (12) of librosa's frame length.
        fft_basis = np.fft.fft(basis, n=n_fft, axis=1)[:, : n_fft // 2 + 1]
        # librosa: basis * sqrt(sr_e / rate), signal energy-scaled by sqrt(dec) at each resampling, 1/sqrt(len_e)
        fft_basis *= (np.sqrt(rel) * np.sqrt(dec) / np.sqrt(lengths_e))[:, None]
        # response = sum_f B[f] * FFT(frame)[f] = frame . k with k[n] = sum_f B[f] exp(-2 pi i f n / N)
        k = np.fft.fft(fft_basis, n=n_fft, axis=1)  # zero-padded B (positive freqs only) -> (filters, n_fft)
        lo, hi = _trimmed_window(np.abs(k) ** 2, self.trim)
        kern = np.concatenate([k[:, lo:hi].real.T, k[:, lo:hi].imag.T], axis=1).astype(np.float32)
        return _Octave(dec, n_fft, rows, lo, hi - lo, torch.from_numpy(kern).to(self.device),
                       float(lengths.min() * dec))

    def _halve(self, x: torch.Tensor) -> torch.Tensor:
        """Low-pass and keep every other sample: y[n] = sum_j h[j] x[2n + j - c] (zeros outside x)."""
        if x.device.type != "cpu":
            y = torch.nn.functional.conv1d(x.view(1, 1, -1), self.fir, stride=2, padding=_FIR_TAPS // 2)
            return y.view(-1)
        # On CPU a 1-channel conv1d is slow; the half-band filter is symmetric with every other tap zero, so
        # 8 strided multiply-adds of symmetric pairs do the same sums several times faster.
        return torch.from_numpy(_halve_np(x.numpy()))

    @property
    def shortest_filter(self) -> float:
        """Full-rate length in samples of the highest (shortest) filter: frames further apart than half of it
        would let a click fall between them in the top rows."""
        return min(o.shortest for o in self.octaves)

    def magnitude(self, read: Callable[[int, int], np.ndarray], centres: np.ndarray,
                  cancelled: Callable[[], bool] = lambda: False, pool: int = 1,
                  submit: Callable | None = None, out: torch.Tensor | None = None) -> torch.Tensor:
        """|CQT| (n_bins, len(centres) // pool) at full-rate sample positions ``centres`` (ascending ints).

        ``read(a, b)`` returns float32 mono samples a..b-1 with zeros outside the signal. The segment read is
        aligned to the coarsest decimation so every call sees the same decimated sample grid (tiles agree).
        ``pool`` > 1 (evenly spaced centres): output column i is the max over centres i*pool .. i*pool+pool-1;
        an octave whose filters are much longer than the spacing looks at only every k-th of them (k a power of
        two keeping the spacing within half its shortest filter), as nothing can hide between those.
        ``submit(fn, *args)`` (CPU, pool 1): each octave's products go to worker threads in chunks of
        PRODUCT_COLUMNS columns while this thread halves the signal for the next octave. ``out``: the
        (n_bins, columns) tensor to fill (default: a new one).
        """
        centres = np.asarray(centres, dtype=np.int64)
        pool = max(1, int(pool))
        if out is None:
            out = torch.zeros(self.n_bins, len(centres) // pool, device=self.device)
        if len(centres) == 0:
            return out
        if submit is not None and pool != 1:
            raise ValueError("CqtPlan.magnitude: submit needs pool 1")
        futures = []
        D = self.max_decimation
        a = int(math.floor((centres[0] - self.margin) / D)) * D
        b = int(centres[-1] + self.margin)
        x = torch.from_numpy(np.ascontiguousarray(read(a, b), dtype=np.float32)).to(self.device)
        for _ in range(self.early):
            x = self._halve(x)
        for i, octv in enumerate(self.octaves):
            if i:
                x = self._halve(x)
            if cancelled():
                from ..errors import JobCancelled

                raise JobCancelled()
            k = 1
            if pool > 1:
                step = int(centres[1] - centres[0]) if len(centres) > 1 else 1
                while 2 * k <= pool and 2 * k * step <= octv.shortest / 2:
                    k *= 2
            cs = centres[::k]
            starts = np.rint((cs - a) / octv.decimation).astype(np.int64) - octv.n_fft // 2
            if submit is None:
                mag = _octave_magnitude(x, starts, octv)
                if pool > 1:
                    mag = mag.reshape(mag.shape[0], -1, pool // k).amax(dim=2)
                out[octv.rows] = mag
            else:
                for c in range(0, len(starts), PRODUCT_COLUMNS):
                    futures.append(submit(_fill_octave, out, x, starts[c:c + PRODUCT_COLUMNS], octv, c))
        for f in futures:
            f.result()  # re-raises a worker's error
        return out


def _octave_magnitude(x: torch.Tensor, starts: np.ndarray, octv: _Octave) -> torch.Tensor:
    """|response| (filters, len(starts)) of one octave's filters to the frames of ``x`` at ``starts``."""
    r = (_frames(x, starts + octv.offset, octv.width) @ octv.kernel).square_()
    nf = r.shape[1] // 2
    return r[:, :nf].add_(r[:, nf:]).sqrt_().T


def _fill_octave(out: torch.Tensor, x: torch.Tensor, starts: np.ndarray, octv: _Octave, col: int) -> None:
    out[octv.rows, col:col + len(starts)] = _octave_magnitude(x, starts, octv)


def _trimmed_window(energy: np.ndarray, trim: float, align: int = 8) -> tuple[int, int]:
    """The shortest centred window [lo, hi) of frame samples that keeps all but ``trim`` of the energy of each
    filter (rows of ``energy``, (filters, n_fft) kernel energy); its width a multiple of ``align`` (the products
    vectorise). One window for all of an octave's filters: products of narrower windows for its shorter
    filters would do less arithmetic, but measured slower (a copy or a strided operand each)."""
    nf, n = energy.shape
    c = n // 2
    if trim <= 0 or n <= align:
        return 0, n
    cum = np.concatenate([np.zeros((nf, 1)), np.cumsum(energy, axis=1)], axis=1)
    halves = np.arange(align // 2, c + 1, align // 2)
    inside = cum[:, np.minimum(n, c + halves)] - cum[:, c - halves]  # (filters, candidate half-widths)
    h = int(halves[np.argmax(inside >= (1 - trim) * cum[:, -1:], axis=1)].max())
    return c - h, min(n, c + h)


def _frames(x: torch.Tensor, starts: np.ndarray, n: int) -> torch.Tensor:
    """Frames x[s : s + n] for each start (cols, n), zeros where they leave x. Evenly spaced starts (the
    usual case) are a strided view of the zero-padded signal, no index matrix."""
    if len(starts) > 1:
        step = int(starts[1] - starts[0])
        if step >= 1 and np.all(np.diff(starts) == step):
            lo = int(starts[0])
            hi = int(starts[-1]) + n
            s0 = min(max(lo, 0), x.numel())
            s1 = min(max(hi, s0), x.numel())
            pad_l = min(max(0, -lo), hi - lo)
            pad_r = (hi - lo) - pad_l - (s1 - s0)
            xs = x[s0:s1]
            if pad_l or pad_r:
                xs = torch.nn.functional.pad(xs, (pad_l, pad_r))
            return xs.unfold(0, n, step)
    return _gather(x, torch.from_numpy(starts).to(x.device), n)


def _gather(x: torch.Tensor, starts: torch.Tensor, n: int) -> torch.Tensor:
    """Frames x[s : s + n] for each start (cols, n), zeros where they leave x."""
    pos = starts[:, None] + torch.arange(n, device=x.device)[None, :]
    valid = (pos >= 0) & (pos < x.numel())
    return torch.where(valid, x[pos.clamp(0, max(x.numel() - 1, 0))], torch.zeros((), device=x.device))


_PLANS: dict = {}


def cqt_plan(sr: int, settings: SpectrogramSettings, device: str = "cpu") -> CqtPlan:
    """Cached CqtPlan (kernel construction takes tens of milliseconds)."""
    key = (int(sr), settings.analysis_key(), str(device))
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = CqtPlan(sr, settings, device)
    return plan


def cqt_magnitude(x, sr: int, settings: SpectrogramSettings, device: str = "cpu") -> torch.Tensor:
    """|CQT| of the mono signal ``x`` at hop settings.hop: (n_bins, 1 + len(x)//hop) float32 on ``device``.

    Matches np.abs(librosa.cqt(x, sr=sr, hop_length=hop, fmin=fmin, n_bins=n_bins,
    bins_per_octave=bins_per_octave)) up to the resampling filter and librosa's sparsified basis (see tests for the
    measured agreement: the median cell within 0.1 dB; cells 60 dB or more down differ by up to several dB).
    """
    y = np.asarray(x, dtype=np.float32)
    if y.ndim == 2:
        y = y.mean(axis=0)
    plan = cqt_plan(sr, settings, device)
    centres = np.arange(1 + len(y) // settings.hop, dtype=np.int64) * settings.hop if len(y) else np.zeros(0, int)

    def read(a: int, b: int) -> np.ndarray:  # a view where no zeros are needed: the plan only reads it
        return y[a:b] if 0 <= a <= b <= len(y) and y.flags.writeable else padded_slice(y, a, b)

    if torch.device(device).type != "cpu" or len(centres) < 2 * RANGE_COLUMNS:
        return plan.magnitude(read, centres)
    # On the CPU this thread halves the signal octave by octave while our worker threads (single-threaded
    # kernels, blocks.py) multiply the octaves already made. Halving in two threads at once ran slower than in
    # one (the memory passes share the cores' caches); torch's own threads met a barrier on every small op.
    # Every span sees the same decimated sample grid (see CqtPlan.magnitude): the columns of one pass.
    out = torch.empty(plan.n_bins, len(centres))
    for a in range(0, len(centres), SPAN_COLUMNS):
        plan.magnitude(read, centres[a:a + SPAN_COLUMNS], submit=submit, out=out[:, a:a + SPAN_COLUMNS])
    return out


def padded_slice(y: np.ndarray, a: int, b: int) -> np.ndarray:
    """y[a:b] of a 1-D array with zeros where [a, b) leaves it."""
    out = np.zeros(max(0, b - a), dtype=np.float32)
    lo, hi = max(a, 0), min(b, len(y))
    if hi > lo:
        out[lo - a:hi - a] = y[lo:hi]
    return out
