"""Live sound events: YAMNet on the last seconds of the microphone, events decoded as the audio comes in.

``make_processor(params, ctx)`` (the manifest's LiveProcessor factory) returns a processor whose ``push`` takes
consecutive hops of 16 kHz audio. New 0.96 s windows are scored every ``hop_s`` (0.12 s) as soon as the
audio for them has arrived; each push returns one Events layer with every event so far (an event still
sounding ends at the newest scored window and is marked ``open``), so the lanes update with every hop
(0.5 s). Only the scores are kept, not the audio (a few kB a minute); decoding re-runs on the last
``keep_s`` seconds of scores, which bounds the cost of a long session.
"""

from __future__ import annotations

import numpy as np

from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Events, Layer
from workbench.core.plugin_api import JobContext
from workbench_plugins.audioset.plugin import load_model
from workbench_plugins.audioset.yamnet import HOP, MODEL_ID, PATCH, RATE, patches

from .decoding import Setup, decode, lane_scores, setup
from .events import join_intervals
from .head import CLASSES, CONTEXT, FRAME_S, context_groups, load_head, receptive_s

HEAD_CONTEXT_S = 4.0  # audio the head is re-run on at each push (receptive field +-0.6 s; +-1.3 s at dilation 8)


class SedStream:
    sample_rate = RATE

    def __init__(self, params: dict, ctx: JobContext, keep_s: float = 60.0):
        params = {"preset": "street", **params}
        if params["preset"] == "top classes" and not str(params.get("classes", "")).strip():
            raise InvalidParameterError("live sound events need a preset or named classes, not 'top classes'")
        self.model = load_model(ctx)
        self.s: Setup = setup(params, ctx, self.model.labels)
        self.hop = self.s.hop_frames * HOP  # samples between windows
        self.win = PATCH * HOP + 240  # samples one window's log-mel needs (96 frames of 400 samples, hop 160)
        self.keep = int(keep_s / self.s.hop_s)
        self.t0: float | None = None
        self.buf = np.zeros(0, np.float32)  # audio not yet covered by a scored window, plus one window's worth
        self.buf_start = 0  # sample index of buf[0] in the stream
        self.next_win = 0  # sample index where the next window starts
        self.lanes = np.zeros((0, len(self.s.names)), np.float32)
        self.first_win = 0  # window index of lanes[0]
        self.done: dict[str, list] = {n: [] for n in self.s.names}  # events that ended before the kept scores
        self.head = load_head(ctx) if self.s.head_lanes else None
        self.groups = np.zeros((0, len(CONTEXT)), np.float32)  # head context per window (aligned with lanes)
        self.frame = int(round(FRAME_S * RATE))  # samples per head frame
        self.tail = np.zeros(0, np.float32)  # the last HEAD_CONTEXT_S of audio, starting at a head frame
        self.tail_start = 0
        self.act = np.zeros((0, len(CLASSES)), np.float32)  # head activity from frame first_frame on
        # frames this far after the re-run span's start already had their full left context before
        self.settled = int(np.ceil(max(1.0, receptive_s(self.head.cfg)) / FRAME_S)) if self.head else 0
        self.first_frame = 0

    def push(self, samples, t0: float) -> list[Layer]:
        if self.t0 is None:
            self.t0 = float(t0)
        x = np.asarray(samples, np.float32).reshape(-1)
        self.buf = np.concatenate([self.buf, np.nan_to_num(x)])
        new = []
        while self.next_win + self.win <= self.buf_start + len(self.buf):
            a = self.next_win - self.buf_start
            new.append(self.buf[a:a + self.win])
            self.next_win += self.hop
        if new:
            p = np.concatenate([patches(w, self.s.hop_frames)[:1] for w in new])
            scores = self.model.scores(p)
            self.lanes = np.concatenate([self.lanes, lane_scores(self.s, scores)])
            self.groups = np.concatenate([self.groups, context_groups(scores, self.model.labels)])
        if self.head is not None:
            self._run_head(np.nan_to_num(x))
        cut = self.next_win - self.buf_start  # audio before the next window is no longer needed
        if cut > 0:
            self.buf = self.buf[cut:]
            self.buf_start += cut
        self._forget()
        return [self._layer()]

    def _run_head(self, x: np.ndarray) -> None:
        """Re-run the head on the last few seconds; frames near the start of that span keep earlier values."""
        self.tail = np.concatenate([self.tail, x])
        excess = len(self.tail) - int(HEAD_CONTEXT_S * RATE)
        if excess > 0:
            excess -= excess % self.frame
            self.tail, self.tail_start = self.tail[excess:], self.tail_start + excess
        f0 = self.tail_start // self.frame
        if len(self.tail) < 4 * self.frame or not len(self.groups):
            return
        act = self.head.activity(self.tail, self.groups, self.s.hop_s, f0, self.first_win)
        keep_from = f0 + (self.settled if f0 > 0 else 0)  # older frames were computed with more context
        have = self.first_frame + len(self.act)
        start = min(have, keep_from)
        self.act = np.concatenate([self.act[:max(0, start - self.first_frame)], act[start - f0:]])

    def flush(self) -> list[Layer]:
        return [self._layer()]

    def _forget(self) -> None:
        """Drop scores older than ``keep_s``; events that ended before the drop point are kept as they are."""
        extra = len(self.lanes) - self.keep
        if extra <= 0:
            return
        t_cut = (self.first_win + extra) * self.s.hop_s
        for name, spans in self._decoded().items():
            self.done[name] += [sp for sp in spans if sp[1] < t_cut - 1.0]
        self.lanes = self.lanes[extra:]
        self.groups = self.groups[extra:]
        self.first_win += extra
        drop = int(round(t_cut / FRAME_S)) - self.first_frame
        if drop > 0:
            self.act, self.first_frame = self.act[drop:], self.first_frame + drop

    def _decoded(self) -> dict[str, list]:
        offset = self.first_win * self.s.hop_s
        duration = len(self.lanes) * self.s.hop_s + PATCH * HOP / RATE - self.s.hop_s
        head = None
        if self.head is not None:  # the head's frames from the time of the first kept window
            head = self.act[max(0, int(round(offset / FRAME_S)) - self.first_frame):]
        spans = decode(self.s, self.lanes, duration, None, head) if len(self.lanes) \
            else {n: [] for n in self.s.names}
        return {n: [(a + offset, b + offset, c) for a, b, c in v] for n, v in spans.items()}

    def _layer(self) -> Events:
        now = (self.first_win + len(self.lanes) - 1) * self.s.hop_s + PATCH * HOP / RATE  # newest window's end
        rows = []
        for name, spans in self._decoded().items():
            for a, b, c in join_intervals(self.done[name] + spans, 0.0):
                rows.append((a + self.t0, b + self.t0, name, c, b >= now - 2 * self.s.hop_s))
        rows.sort()
        return Events(name="live sound events", starts=[r[0] for r in rows], ends=[r[1] for r in rows],
                      labels=[r[2] for r in rows], confidences=[r[3] for r in rows],
                      metadata={"model": MODEL_ID, "preset": self.s.preset, "classes": list(self.s.names),
                                "frame_hop_s": self.s.hop_s, "live": True,
                                "open": [i for i, r in enumerate(rows) if r[4]]})


def make_processor(params: dict, ctx: JobContext) -> SedStream:
    return SedStream(params, ctx)
