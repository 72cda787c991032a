"""Live f0: a StreamProcessor fed with consecutive hops of 16 kHz audio from a worker thread.

Each ``push`` appends the hop to a short buffer (some past context plus what is not yet reported), runs
the estimator on that buffer and returns the frames that have become final: those with at least
``lookahead`` samples of audio after them. Frames sit on the stream's grid ``t0_first + k * hop / 16000``,
so consecutive Curves join without gaps or repeats. The delay of a frame is ``lookahead`` plus the hop size
plus the push's compute time.

The live defaults aim at < 60 ms from a note's onset to its f0 on screen (``benchmarks/bench_live.py``): the
panel pushes every 20 ms (the manifest's ``hop_s``), a frame is reported once 10 ms of audio follow it (FCPE's
window then still lacks its last ~27 ms, which costs a little raw pitch accuracy; ``benchmarks/
eval_live_pitch.py`` prints RPA against hop and look-ahead), and the host resamples with a < 1 ms FIR.
"""

from __future__ import annotations

import numpy as np

from workbench.core.layers import Curve

from .curve import make_curve
from .estimators import MODEL_RATE, FcpeEstimator, PitchEstimator

# Past audio (samples) kept in front of the frames being reported, and audio needed after a frame before it
# is final. FCPE: with 0.25 s before and 50 ms after a frame, live f0 stays within ~10 cents of the offline f0;
# the live defaults are 50 ms before (fewer frames per push) and 10 ms after, for latency. Cost on the pitch
# corpus (eval_live_pitch.py): RPA 0.898 (0.900 with 0.1 s, 0.924 with 40 ms hops, 0.25 s and 50 ms; 0.880 with
# 10 ms hops, which do not move the 20 ms algorithmic onset). With the int8 weights the live panel uses
# (FcpeEstimator.int8_linears) a push costs ~9 ms instead of ~18 ms, RPA the same. CREPE frames only see
# +-512 samples.
FCPE_CONTEXT, FCPE_LOOKAHEAD = MODEL_RATE // 20, 160
CREPE_CONTEXT, CREPE_LOOKAHEAD = 512, 512


class PitchStream:
    """Incremental f0 tracker. Not thread-safe: one worker thread pushes, in order.

    ``push(samples, t0)`` takes 1-D float32 at 16 kHz starting ``t0`` s into the stream and returns a list with
    one Curve holding the frames finalised by this hop (possibly none). A jump in ``t0`` (a dropout) restarts
    the tracker at the new time.
    """

    sample_rate = MODEL_RATE
    resample_quality = "low-delay"  # the host's 48 -> 16 kHz resampler: a short FIR (~1 ms) instead of ~24 ms
    kernel_threads = 1  # FCPE on 0.1 s: 18 ms on one thread, 33 ms on two (thread hand-offs cost more than they give)

    def __init__(self, estimator: PitchEstimator, params: dict, out_hop: int | None = None,
                 context: int | None = None, lookahead: int | None = None):

        fcpe = isinstance(estimator, FcpeEstimator)
        self.estimator, self.params, self._make_curve = estimator, params, make_curve
        self.hop = estimator.hop  # FCPE streams its native 10 ms frames whatever hop_ms says
        self.context = context if context is not None else (FCPE_CONTEXT if fcpe else CREPE_CONTEXT)
        self.lookahead = lookahead if lookahead is not None else (FCPE_LOOKAHEAD if fcpe else CREPE_LOOKAHEAD)
        self._reset(None)

    def _reset(self, t0: float | None) -> None:
        self._origin = t0  # stream time (s) of sample 0
        self._buffer = np.zeros(0, np.float32)
        self._buffer_start = 0  # stream sample index of _buffer[0]; always a multiple of hop
        self._received = 0  # samples pushed since the origin
        self._next_frame = 0  # index of the first frame not yet reported

    def push(self, samples, t0: float) -> list[Curve]:
        samples = np.asarray(samples, np.float32).reshape(-1)
        if self._origin is None:
            self._reset(float(t0))
        elif abs(t0 - (self._origin + self._received / MODEL_RATE)) > 0.5 * self.hop / MODEL_RATE:
            self._reset(float(t0))  # not contiguous with what came before: start over at t0
        self._buffer = np.concatenate([self._buffer, samples])
        self._received += len(samples)
        last = (self._received - self.lookahead) // self.hop  # last frame with enough audio after it
        return self._emit(last)

    def flush(self) -> list[Curve]:
        """Report the frames still held back (their right edge padded with silence)."""
        if self._origin is None:
            return []
        out = self._emit((self._received - 1) // self.hop)  # frames centred inside the audio, as offline
        self._reset(None)
        return out

    def _emit(self, last: int) -> list[Curve]:
        if last < self._next_frame or not len(self._buffer):
            return []
        p = self.params
        f0, conf = self.estimator.estimate(self._buffer, p["fmin"], p["fmax"])
        first_local = self._next_frame - self._buffer_start // self.hop
        n = last - self._next_frame + 1
        f0, conf = f0[first_local:first_local + n], conf[first_local:first_local + n]
        times = self._origin + (self._next_frame + np.arange(len(f0))) * self.hop / MODEL_RATE
        self._next_frame += len(f0)
        self._trim()
        return [self._make_curve(times, f0, conf, p)] if len(f0) else []

    def _trim(self) -> None:
        """Drop audio older than ``context`` samples before the next frame (kept hop-aligned)."""
        keep_from = max(0, self._next_frame * self.hop - self.context) // self.hop * self.hop
        if keep_from > self._buffer_start:
            self._buffer = self._buffer[keep_from - self._buffer_start:]
            self._buffer_start = keep_from
