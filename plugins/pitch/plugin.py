"""Pitch plugin: f0 of a monophonic voice or instrument as a Curve (Hz) with confidence and voicing.

``process`` resamples to 16 kHz chunk by chunk, runs the chosen estimator on overlapping chunks and keeps
each chunk's middle part, so memory stays bounded on long files and every frame lies on one whole-file
grid (frame k at ``k * hop`` seconds). ``stream`` returns a :class:`PitchStream` for live input.
"""

from __future__ import annotations

import math
import time

import numpy as np

from workbench.core.audio import AudioBuffer
from workbench.core.chunks import keep_frames
from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Curve
from workbench.core.plugin_api import JobContext
from workbench.core.resample import resample_array

from .curve import make_curve
from .estimators import MODEL_RATE, PitchEstimator, load_estimator
from .streaming import PitchStream

CHUNK_S = 6.0  # seconds per chunk: progress and cancellation come every fraction of a second
PARTIAL_EVERY = 1.0  # s between partial curves handed to the host while a long file is tracked
CHUNK_OVERLAP_S = 1.0  # seconds shared by neighbours; kept parts meet in the middle (0.5 s context each side)


def frame_hop(params: dict) -> int:
    """The output frame hop in samples at 16 kHz (``hop_ms`` rounded to a whole sample)."""
    return max(1, int(round(params["hop_ms"] * MODEL_RATE / 1000.0)))


def check_params(params: dict) -> None:
    if params["fmin"] >= params["fmax"]:
        raise InvalidParameterError(f"fmin ({params['fmin']:g} Hz) must be below fmax ({params['fmax']:g} Hz)")


def _chunk_unit(sample_rate: int, hop: int) -> int:
    """Smallest number of input samples that is a whole number of 16 kHz samples *and* of frame hops.

    Chunks start at multiples of it, so each chunk's frames land exactly on the whole-file frame grid.
    """
    per_out = sample_rate // math.gcd(sample_rate, MODEL_RATE)  # input samples per ...
    out_per = MODEL_RATE // math.gcd(sample_rate, MODEL_RATE)  # ... this many 16 kHz samples
    unit_out = math.lcm(out_per, hop)
    return unit_out // out_per * per_out


def track(samples: np.ndarray, sample_rate: int, estimator: PitchEstimator, params: dict,
          ctx: JobContext, chunk_s: float = CHUNK_S, overlap_s: float = CHUNK_OVERLAP_S, partial=None):
    """Raw frames of a 1-D signal: (times s, f0 Hz, confidence) on the grid ``k * estimator.hop / 16000``.

    Runs chunk by chunk (progress and cancellation through ``ctx``), resampling each chunk on its own.
    ``partial(times, f0, conf)``: called with the frames so far after a chunk, at most every PARTIAL_EVERY s.
    """
    last_partial = time.monotonic()
    hop = estimator.hop
    unit = _chunk_unit(sample_rate, hop)
    size = max(1, math.ceil(chunk_s * sample_rate / unit)) * unit
    overlap = min(size - unit, max(1, math.ceil(overlap_s * sample_rate / unit)) * unit)
    times, f0s, confs = [], [], []
    for chunk in ctx.chunks(samples, sample_rate, size / sample_rate, overlap / sample_rate, text="pitch"):
        y = resample_array(chunk.samples, sample_rate, MODEL_RATE)
        first = chunk.start * MODEL_RATE // sample_rate // hop  # whole-file index of the chunk's frame 0
        span = (chunk.index / chunk.count, (chunk.index + 1) / chunk.count)
        f0, conf = estimator.estimate(
            y, params["fmin"], params["fmax"],
            on_progress=lambda f: ctx.progress(span[0] + (span[1] - span[0]) * f, "pitch"),
        )
        t = (first + np.arange(len(f0))) * hop / MODEL_RATE
        keep = keep_frames(t, chunk)
        times.append(t[keep]), f0s.append(f0[keep]), confs.append(conf[keep])
        if partial is not None and chunk.index < chunk.count - 1 and time.monotonic() - last_partial > PARTIAL_EVERY:
            last_partial = time.monotonic()
            partial(*(np.concatenate(parts) for parts in (times, f0s, confs)))
    cat = lambda parts: np.concatenate(parts) if parts else np.zeros(0)  # noqa: E731
    return cat(times), cat(f0s), cat(confs)


def to_grid(times: np.ndarray, f0: np.ndarray, conf: np.ndarray, step_s: float):
    """Frames re-sampled onto ``k * step_s`` seconds: log-f0 and confidence interpolated linearly."""
    if len(times) == 0:
        return times, f0, conf
    grid = np.arange(0.0, times[-1] + 1e-9, step_s)
    logf = np.interp(grid, times, np.log2(np.maximum(f0, 1e-3)))
    return grid, np.float32(2.0) ** logf.astype(np.float32), np.interp(grid, times, conf).astype(np.float32)


def raw_frames(audio: AudioBuffer, params: dict, ctx: JobContext, emit: bool = False):
    """(times s, f0 Hz, confidence) of every frame on the ``hop_ms`` grid, before the voicing decision.
    ``emit``: hand the curve so far to ``ctx.emit`` while long files are tracked."""
    check_params(params)
    hop = frame_hop(params)
    ctx.progress(0.0, f"loading {params['model']}")
    estimator = load_estimator(params["model"], ctx, hop)

    def regrid(times, f0, conf):
        if estimator.hop != hop:  # FCPE has a fixed 10 ms hop: move its frames onto the requested grid
            return to_grid(times, f0, conf, hop / MODEL_RATE)
        return times, f0, conf

    partial = (lambda *frames: ctx.emit([make_curve(*regrid(*frames), params)])) if emit else None
    return regrid(*track(audio.mono_samples, audio.sample_rate, estimator, params, ctx, partial=partial))


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Curve]:
    """f0 of the mono mixdown of ``audio`` as one Curve (times in s, values in Hz, 0 when unvoiced); long
    files show their curve so far while they run."""
    curve = make_curve(*raw_frames(audio, params, ctx, emit=True), params)
    ctx.progress(1.0, "pitch done")
    return [curve]


def stream(params: dict, ctx: JobContext) -> PitchStream:
    """A live f0 tracker fed with consecutive 16 kHz hops (see :class:`PitchStream`)."""
    check_params(params)
    hop = frame_hop(params)
    estimator = load_estimator(params["model"], ctx, hop)
    if hasattr(estimator, "int8_linears"):  # live pushes are bound by reading the weights (FCPE on the CPU)
        estimator = estimator.int8_linears()
    return PitchStream(estimator, params, out_hop=hop)


__all__ = ["process", "stream", "raw_frames", "track", "make_curve"]
