"""Alignment of two chroma sequences: optimal transposition index (OTI), cross-recurrence plot and Qmax.

Qmax (Serra et al., 2009) finds the longest locally aligned stretch in a binary cross-recurrence plot, allowing
local tempo changes (steps (1,1), (2,1), (1,2)) and gaps with penalties. Frames are ``FRAME_RATE`` per second.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EMBED_M = 5  # time-delay embedding: frames stacked per vector
KAPPA = 0.1  # fraction of nearest neighbours marked recurrent per row / column
GAMMA_ONSET, GAMMA_EXT = 5.0, 0.5  # Qmax penalties for starting / extending a disruption


@dataclass
class Alignment:
    score: float  # Qmax / query frames (0..~1)
    qmax: float
    transposition: int  # semitones added to the item to match the query
    path: np.ndarray  # (L, 2) int (query frame, item frame), in time order
    tempo_ratio: float  # item frames / query frames along the path


def oti_shifts(profile_q: np.ndarray, profile_i: np.ndarray, count: int = 2) -> list[int]:
    """The ``count`` best circular shifts k of the item profile (roll by k) for matching the query profile."""
    scores = np.array([float(np.dot(profile_q, np.roll(profile_i, k))) for k in range(12)])
    return [int(k) for k in np.argsort(-scores)[:count]]


def delay_embed(chroma: np.ndarray, m: int = EMBED_M) -> np.ndarray:
    """(frames - m + 1, 12 * m) stacked consecutive frames, L2-normalised."""
    n = len(chroma) - m + 1
    if n < 1:
        return chroma / np.maximum(np.linalg.norm(chroma, axis=1, keepdims=True), 1e-9)
    x = np.concatenate([chroma[i:i + n] for i in range(m)], axis=1)
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-9)


def cross_recurrence(a: np.ndarray, b: np.ndarray, kappa: float = KAPPA) -> np.ndarray:
    """Binary (len(a), len(b)) plot: pairs that are among each other's ``kappa`` nearest neighbours."""
    d = 1.0 - a @ b.T  # cosine distance
    ka = max(1, int(round(kappa * d.shape[1])))
    kb = max(1, int(round(kappa * d.shape[0])))
    row_thr = np.partition(d, ka - 1, axis=1)[:, ka - 1:ka]
    col_thr = np.partition(d, kb - 1, axis=0)[kb - 1:kb, :]
    return (d <= row_thr) & (d <= col_thr)


def qmax(r: np.ndarray) -> np.ndarray:
    """Qmax accumulation matrix of a binary cross-recurrence plot (vectorised over columns, one row at a time)."""
    n, m = r.shape
    q = np.zeros((n + 2, m + 2), np.float32)  # two rows/columns of zero padding in front
    rp = np.zeros((n + 2, m + 2), bool)
    rp[2:, 2:] = r
    pen = np.where(rp, GAMMA_ONSET, GAMMA_EXT).astype(np.float32)
    for i in range(2, n + 2):
        a, b, c = q[i - 1, 1:-1], q[i - 2, 1:-1], q[i - 1, :-2]  # (i-1,j-1), (i-2,j-1), (i-1,j-2)
        hit = np.maximum(np.maximum(a, b), c) + 1.0
        miss = np.maximum.reduce([np.zeros(m, np.float32), a - pen[i - 1, 1:-1], b - pen[i - 2, 1:-1],
                                  c - pen[i - 1, :-2]])
        q[i, 2:] = np.where(rp[i, 2:], hit, miss)
    return q[2:, 2:]


def backtrack(q: np.ndarray) -> np.ndarray:
    """The aligned path (query frame, item frame) ending at Q's maximum and going back while Q > 0."""
    i, j = np.unravel_index(int(np.argmax(q)), q.shape)
    path = []
    while i >= 0 and j >= 0 and q[i, j] > 0:
        path.append((i, j))
        cands = [(i - 1, j - 1), (i - 2, j - 1), (i - 1, j - 2)]
        cands = [(a, b) for a, b in cands if a >= 0 and b >= 0]
        if not cands:
            break
        i, j = max(cands, key=lambda ab: q[ab])
    return np.array(path[::-1], np.int64).reshape(-1, 2)


def qmax_scores(plots: list[np.ndarray], group: int = 256) -> np.ndarray:
    """max Qmax of many binary plots sharing their row count (the query), computed together.

    Plots are padded with zeros to a common width and run in groups of ``group``: one numpy step per query
    row for the whole group, which is what makes re-ranking all 12 transpositions of many candidates fast.
    """
    out = np.zeros(len(plots), np.float32)
    for g in range(0, len(plots), group):
        batch = plots[g:g + group]
        n, width = batch[0].shape[0], max(p.shape[1] for p in batch)
        rp = np.zeros((len(batch), n + 2, width + 2), bool)
        for b, p in enumerate(batch):
            rp[b, 2:, 2:2 + p.shape[1]] = p
        pen = np.where(rp, GAMMA_ONSET, GAMMA_EXT).astype(np.float32)
        q2 = np.zeros((len(batch), width + 2), np.float32)  # row i-2
        q1 = np.zeros_like(q2)  # row i-1
        best = np.zeros(len(batch), np.float32)
        zero = np.zeros((len(batch), width), np.float32)
        for i in range(2, n + 2):
            a, b, c = q1[:, 1:-1], q2[:, 1:-1], q1[:, :-2]
            hit = np.maximum(np.maximum(a, b), c) + 1.0
            miss = np.maximum.reduce([zero, a - pen[:, i - 1, 1:-1], b - pen[:, i - 2, 1:-1], c - pen[:, i - 1, :-2]])
            row = np.zeros_like(q1)
            row[:, 2:] = np.where(rp[:, i, 2:], hit, miss)
            best = np.maximum(best, row.max(axis=1))
            q2, q1 = q1, row
        out[g:g + len(batch)] = best
    return out


def transposed_plots(chroma_q: np.ndarray, chroma_i: np.ndarray) -> list[np.ndarray]:
    """Cross-recurrence plots of the query against the item rolled by 0..11 semitones."""
    eq = delay_embed(chroma_q)
    return [cross_recurrence(eq, delay_embed(np.roll(chroma_i, k, axis=1))) for k in range(12)]


def finish(plot: np.ndarray, shift: int, query_frames: int) -> Alignment:
    """Full Qmax, path and tempo ratio for the chosen transposition ``shift``."""
    q = qmax(plot)
    top = float(q.max()) if q.size else 0.0
    path = backtrack(q) if top > 0 else np.zeros((0, 2), np.int64)
    ratio = 1.0
    if len(path) > 1:
        dq, di = path[-1] - path[0]
        ratio = float(di / dq) if dq > 0 else 1.0
    semis = shift if shift <= 6 else shift - 12
    return Alignment(top / max(1, query_frames), top, int(semis), path, ratio)


def align(chroma_q: np.ndarray, chroma_i: np.ndarray) -> Alignment:
    """Best Qmax alignment of an item to the query over all 12 transpositions."""
    plots = transposed_plots(chroma_q, chroma_i)
    k = int(np.argmax(qmax_scores(plots)))
    return finish(plots[k], k, plots[k].shape[0])
