"""Querying the library: embedding candidates (cosine), then Qmax re-ranking with the optimal transposition.

Times in the returned alignments are seconds from the start of the query audio and of the library item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from workbench.core.layers import Match

from .align import EMBED_M, finish, qmax_scores, transposed_plots
from .features import FRAME_RATE, TrackFeatures
from .library import Library
from .ann_index import backend_for
from .search import SearchBackend

ProgressFn = Callable[[float, str], None]


def frame_time(index: np.ndarray) -> np.ndarray:
    """Centre time (s) of delay-embedded frame ``index``."""
    return (np.asarray(index, np.float64) + (EMBED_M - 1) / 2 + 0.5) / FRAME_RATE


class CoverSearcher:
    """Searches one library; the embedding index is built once from the database (rebuild after a scan)."""

    def __init__(self, library: Library, backend: SearchBackend | None = None):
        self.library = library
        # exact cosine search for small libraries, the FAISS index beside the database for catalogues
        self.backend = backend or backend_for(library)
        self.rebuild()

    def rebuild(self) -> None:
        ids, emb = self.library.embeddings()
        self.backend.build(ids, emb)
        self.size = len(ids)

    def candidates(self, feats: TrackFeatures, count: int) -> tuple[np.ndarray, np.ndarray]:
        """(track ids, cosine similarities) of the ``count`` nearest embeddings."""
        return self.backend.search(feats.embedding, count)

    def query(self, feats: TrackFeatures, top_k: int = 10, rerank: int = 50, exclude: str | None = None,
              progress: ProgressFn | None = None) -> list[Match]:
        """Best ``top_k`` matches. The first ``rerank`` candidates are ordered by alignment score (Qmax per query
        frame, best of 12 transpositions); candidates past that keep embedding order with score 0.
        ``exclude``: a path to leave out (the query file itself)."""
        ids, _ = self.candidates(feats, max(top_k, rerank) + (1 if exclude else 0))
        items = []
        skip = Path(exclude).expanduser().resolve() if exclude else None
        for tid in ids:
            path, title, item = self.library.features(int(tid))
            if not (skip is not None and Path(path).resolve() == skip):
                items.append((path, title, item))
        head, tail = items[:rerank], items[rerank:]
        plots: list[np.ndarray] = []
        for n, (_, _, item) in enumerate(head):
            plots += transposed_plots(feats.chroma, item.chroma)
            if progress:
                progress(0.5 * (n + 1) / max(1, len(head)), "cross-recurrence")
        scores = qmax_scores(plots).reshape(len(head), 12) if head else np.zeros((0, 12))
        order = np.argsort(-scores.max(axis=1), kind="stable")[:top_k]
        out = []
        for rank, c in enumerate(order):
            path, title, _ = head[c]
            k = int(np.argmax(scores[c]))
            al = finish(plots[c * 12 + k], k, plots[c * 12 + k].shape[0])
            pairs = [(float(a), float(b)) for a, b in zip(frame_time(al.path[:, 0]), frame_time(al.path[:, 1]))]
            out.append(Match(item=path, title=title, score=float(al.score), transposition=al.transposition,
                             tempo_ratio=float(al.tempo_ratio), alignment=pairs))
            if progress:
                progress(0.5 + 0.5 * (rank + 1) / len(order), "aligning")
        out += [Match(item=p, title=t, score=0.0) for p, t, _ in tail]
        return out[:top_k]
