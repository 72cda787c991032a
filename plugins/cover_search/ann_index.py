"""Approximate nearest-neighbour search for catalogue-size libraries: a FAISS IVF index beside the database.

Exact cosine search (:class:`~.search.CosineIndex`) stays the back end of libraries below ``EXACT_LIMIT``
tracks: it is exact and already fast there. Above it, :class:`LibraryAnnIndex` keeps a FAISS inverted-file
index (IVF, 8-bit scalar-quantised vectors, inner product on L2-normalised embeddings = cosine) in
``<library>.faiss`` next to ``<library>.sqlite``. It is updated incrementally: each sync adds the tracks
analysed since the last one and removes those that changed or disappeared (by track id and analysis time),
and it is only re-trained when the library has grown far beyond what its clusters were trained on.
"""

from __future__ import annotations

import math
import os
import sqlite3
from pathlib import Path

import numpy as np

from workbench.core.errors import WorkbenchError

EXACT_LIMIT = 20_000  # tracks; below this exact search is used
NPROBE = 32  # clusters searched per query: recall@10 >= 0.95 on the 1M-track benchmark (bench_batch.py)
RETRAIN_GROWTH = 16  # re-train the clusters when the library is this many times larger than at training


def _faiss():
    try:
        import faiss
    except ImportError:
        raise WorkbenchError("The catalogue index needs faiss-cpu (pip install faiss-cpu)") from None
    return faiss


def _normalised(vectors: np.ndarray) -> np.ndarray:
    v = np.ascontiguousarray(vectors, np.float32)
    return v / np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-9)


def cluster_count(n: int) -> int:
    """IVF clusters for ``n`` vectors: about sqrt(n) (1000 for a million), at least 16, at most 4096."""
    return int(min(4096, max(16, round(math.sqrt(max(n, 1))))))


class AnnIndex:
    """A FAISS IVF index over cosine similarity, with ids; ``quantise=False`` keeps float vectors (4x memory)."""

    def __init__(self, dim: int, nlist: int, quantise: bool = True, nprobe: int = NPROBE):
        faiss = _faiss()
        self.dim, self.nlist = dim, nlist
        self.quantizer = faiss.IndexFlatIP(dim)
        if quantise:
            self.index = faiss.IndexIVFScalarQuantizer(self.quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit,
                                                       faiss.METRIC_INNER_PRODUCT)
        else:
            self.index = faiss.IndexIVFFlat(self.quantizer, dim, nlist, faiss.METRIC_INNER_PRODUCT)
        self.index.nprobe = nprobe
        self.trained_on = 0

    @classmethod
    def wrap(cls, index, trained_on: int) -> "AnnIndex":
        self = cls.__new__(cls)
        self.index, self.dim, self.nlist, self.trained_on = index, index.d, index.nlist, trained_on
        return self

    def train(self, vectors: np.ndarray, seed: int = 0) -> None:
        """Learn the clusters from (a sample of at most 64 per cluster of) ``vectors``."""
        v = _normalised(vectors)
        rng = np.random.default_rng(seed)
        sample = v[rng.choice(len(v), min(len(v), 64 * self.nlist), replace=False)]
        self.index.train(sample)
        self.trained_on = len(v)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(_normalised(vectors), np.asarray(ids, np.int64))

    def remove(self, ids: np.ndarray) -> None:
        if len(ids):
            self.index.remove_ids(np.asarray(ids, np.int64))

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(ids, cosine similarities) of the ``k`` nearest, best first; ``query`` is one vector or (m, dim)."""
        q = _normalised(np.atleast_2d(query))
        sims, ids = self.index.search(q, k)
        if np.ndim(query) == 1:
            keep = ids[0] >= 0
            return ids[0][keep], sims[0][keep]
        return ids, sims

    def memory_bytes(self) -> int:
        """Size of the serialised index (what it takes in memory, give or take the cluster lists' slack)."""
        return int(_faiss().serialize_index(self.index).nbytes)

    def save(self, path: Path) -> None:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        _faiss().write_index(self.index, str(tmp))
        os.replace(tmp, path)


def index_path(library_path: str | os.PathLike) -> Path:
    """``cover_library.faiss`` beside ``cover_library.sqlite``."""
    return Path(library_path).with_suffix(".faiss")


class LibraryAnnIndex:
    """The search back end of a large library: a persistent :class:`AnnIndex` kept in step with the database.

    ``build(ids, vectors)`` (what :class:`~.query.CoverSearcher` calls after a scan) syncs instead of rebuilding:
    only tracks whose (id, analysis time) is new are added, and vanished or re-analysed ones removed.
    """

    def __init__(self, library_path: str | os.PathLike, nprobe: int = NPROBE):
        self.library_path = Path(library_path)
        self.path = index_path(library_path)
        self.stamps_path = self.path.with_suffix(".faiss-stamps.npz")
        self.nprobe = nprobe
        self.ann: AnnIndex | None = None

    def _current_stamps(self) -> dict[int, float]:
        with sqlite3.connect(str(self.library_path)) as db:
            rows = db.execute("SELECT id, analysed FROM tracks WHERE embedding IS NOT NULL").fetchall()
        return {int(i): float(a or 0.0) for i, a in rows}

    def _load(self) -> tuple[AnnIndex | None, dict[int, float]]:
        if not (self.path.is_file() and self.stamps_path.is_file()):
            return None, {}
        try:
            index = _faiss().read_index(str(self.path))
            with np.load(self.stamps_path) as d:
                stamps = dict(zip(d["ids"].tolist(), d["analysed"].tolist()))
                trained_on = int(d["trained_on"])
        except Exception:  # unreadable (older FAISS, damaged): built again from the database
            return None, {}
        ann = AnnIndex.wrap(index, trained_on)
        ann.index.nprobe = self.nprobe
        return ann, stamps

    def build(self, ids: np.ndarray, vectors: np.ndarray) -> dict[str, int]:
        """Bring the index in step with the library; returns {'added': n, 'removed': n, 'retrained': 0|1}."""
        ids = np.asarray(ids, np.int64)
        current = self._current_stamps()
        ann, stored = self._load()
        retrain = ann is None or ann.dim != vectors.shape[1] or len(ids) > RETRAIN_GROWTH * max(ann.trained_on, 1)
        if retrain:
            ann = AnnIndex(vectors.shape[1], cluster_count(len(ids)), nprobe=self.nprobe)
            if len(ids):
                ann.train(vectors)
            stored = {}
        stale = [i for i, t in stored.items() if current.get(i) != t]
        ann.remove(np.array(stale, np.int64))
        for i in stale:
            del stored[i]
        new = np.array([n for n, i in enumerate(ids.tolist()) if i not in stored], np.int64)
        ann.add(ids[new], vectors[new])
        stored.update({int(ids[n]): current.get(int(ids[n]), 0.0) for n in new})
        ann.save(self.path)
        keys = np.array(list(stored), np.int64)
        tmp = self.stamps_path.with_name(f".{self.stamps_path.name}.{os.getpid()}.tmp.npz")
        np.savez(tmp, ids=keys, analysed=np.array([stored[k] for k in keys], np.float64), trained_on=ann.trained_on)
        os.replace(tmp, self.stamps_path)
        self.ann = ann
        return {"added": len(new), "removed": len(stale), "retrained": int(retrain)}

    def __len__(self) -> int:
        return len(self.ann) if self.ann is not None else 0

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if self.ann is None or not len(self.ann):
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        return self.ann.search(query, k)


def backend_for(library):
    """Exact search for small libraries (or without faiss), the persistent ANN index for large ones."""
    from .search import CosineIndex

    if len(library) < EXACT_LIMIT:
        return CosineIndex()
    try:
        _faiss()
    except WorkbenchError:
        return CosineIndex()
    return LibraryAnnIndex(library.path)
