"""Candidate retrieval back ends. The default is exact cosine similarity in numpy; an ANN index (e.g. FAISS,
hnswlib) can replace it by implementing the same two methods."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class SearchBackend(Protocol):
    def build(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Index ``vectors`` (n, d) float32 whose rows belong to library ``ids`` (n,)."""
        ...

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, cosine similarities) of the ``k`` nearest rows, best first."""
        ...


class CosineIndex:
    """Exact cosine search: one matrix-vector product and a partial sort (10k x 200 dims: well under 10 ms)."""

    def __init__(self):
        self.ids = np.zeros(0, np.int64)
        self.vectors = np.zeros((0, 0), np.float32)

    def build(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        v = np.asarray(vectors, np.float32)
        self.vectors = v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9) if len(v) else v
        self.ids = np.asarray(ids, np.int64)

    def __len__(self) -> int:
        return len(self.ids)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if not len(self.ids):
            return self.ids, np.zeros(0, np.float32)
        q = np.asarray(query, np.float32)
        q = q / max(float(np.linalg.norm(q)), 1e-9)
        sims = self.vectors @ q
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top])]
        return self.ids[top], sims[top]
