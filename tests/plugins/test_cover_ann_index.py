"""The cover library's FAISS index: recall against exact search, incremental updates beside the database."""

from __future__ import annotations

import sqlite3
import time
from types import SimpleNamespace

import numpy as np
import pytest

pytest.importorskip("faiss", reason="faiss-cpu is not installed")

from workbench_plugins.cover_search import ann_index  # noqa: E402
from workbench_plugins.cover_search.ann_index import AnnIndex, LibraryAnnIndex, index_path  # noqa: E402
from workbench_plugins.cover_search.features import EMBEDDING_DIM  # noqa: E402
from workbench_plugins.cover_search.library import Library  # noqa: E402
from workbench_plugins.cover_search.query import CoverSearcher  # noqa: E402
from workbench_plugins.cover_search.search import CosineIndex  # noqa: E402


def clustered(n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((50, EMBEDDING_DIM))
    v = centres[rng.integers(0, 50, n)] + 0.6 * rng.standard_normal((n, EMBEDDING_DIM))
    return (v / np.linalg.norm(v, axis=1, keepdims=True)).astype(np.float32)


def test_recall_against_exact_search():
    vectors = clustered(6000)
    ann = AnnIndex(EMBEDDING_DIM, 64)
    ann.train(vectors)
    ann.add(np.arange(6000) + 100, vectors)
    exact = CosineIndex()
    exact.build(np.arange(6000) + 100, vectors)
    queries = clustered(50, seed=1)
    recall = np.mean([len(set(ann.search(q, 10)[0]) & set(exact.search(q, 10)[0])) / 10 for q in queries])
    assert recall >= 0.9
    ids, sims = ann.search(vectors[17], 3)
    assert ids[0] == 117 and sims[0] == pytest.approx(1.0, abs=0.02)  # cosine, not distance


def _insert(db: sqlite3.Connection, vectors: np.ndarray, first: int) -> None:
    db.executemany("INSERT INTO tracks (id, path, embedding, analysed) VALUES (?, ?, ?, ?)",
                   [(first + i, f"/music/{first + i}.wav", v.tobytes(), time.time()) for i, v in enumerate(vectors)])
    db.commit()


def test_the_index_lives_beside_the_library_and_is_updated_incrementally(tmp_path, monkeypatch):
    path = tmp_path / "covers.sqlite"
    Library(path).close()
    vectors = clustered(3000)
    with sqlite3.connect(path) as db:
        _insert(db, vectors, 1)
    monkeypatch.setattr(ann_index, "EXACT_LIMIT", 1000)
    with Library(path) as lib:
        searcher = CoverSearcher(lib)  # a library above the limit gets the FAISS index
        assert isinstance(searcher.backend, LibraryAnnIndex)
        assert index_path(path).is_file() and index_path(path).parent == path.parent
        ids, _ = searcher.candidates(SimpleNamespace(embedding=vectors[41]), 5)
        assert ids[0] == 42

    more = clustered(200, seed=2)
    with sqlite3.connect(path) as db:
        _insert(db, more, 5001)  # new tracks
        db.execute("DELETE FROM tracks WHERE id <= 50")  # vanished files
        changed = clustered(1, seed=3)[0]
        db.execute("UPDATE tracks SET embedding=?, analysed=? WHERE id=100", (changed.tobytes(), time.time() + 1))
        db.commit()
    with Library(path) as lib:
        index = LibraryAnnIndex(path)
        report = index.build(*lib.embeddings())
        assert report == {"added": 201, "removed": 51, "retrained": 0}
        assert len(index) == 3000 - 50 + 200
        assert index.search(more[7], 1)[0][0] == 5008
        assert index.search(changed, 1)[0][0] == 100
        found = index.search(vectors[9], 20)[0]  # track 10 was deleted
        assert 10 not in found.tolist()
        assert LibraryAnnIndex(path).build(*lib.embeddings()) == {"added": 0, "removed": 0, "retrained": 0}


def test_small_libraries_keep_exact_search(tmp_path):
    with Library(tmp_path / "small.sqlite") as lib:
        assert isinstance(CoverSearcher(lib).backend, CosineIndex)
    assert not index_path(tmp_path / "small.sqlite").exists()
