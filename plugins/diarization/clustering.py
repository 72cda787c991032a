"""Grouping speaker embeddings into speakers: agglomerative clustering on cosine distance, then k-means refinement.

The number of speakers is either given, or found by cutting the average-linkage tree at ``threshold`` (cosine
distance between cluster means). Clusters holding less than ``min_share`` of the speech are folded into their
nearest neighbour when the count is automatic, so that a cough or a burst of noise does not become a speaker.
"""

from __future__ import annotations

import numpy as np

DEFAULT_THRESHOLD = 0.32  # cosine distance; same-voice windows of the GE2E encoder sit well below it


def _normalise(x: np.ndarray) -> np.ndarray:
    return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-8)


def _refine(emb: np.ndarray, labels: np.ndarray, iterations: int = 5) -> np.ndarray:
    """Spherical k-means started from ``labels``: each window goes to the nearest cluster mean."""
    for _ in range(iterations):
        ids = np.unique(labels)
        centres = _normalise(np.stack([emb[labels == k].mean(axis=0) for k in ids]))
        new = ids[np.argmax(emb @ centres.T, axis=1)]
        if np.array_equal(new, labels):
            break
        labels = new
    return labels


def _fold_small(emb: np.ndarray, labels: np.ndarray, weights: np.ndarray, min_share: float) -> np.ndarray:
    """Merge clusters whose share of ``weights`` is below ``min_share`` into the nearest remaining one."""
    while True:
        ids = np.unique(labels)
        if len(ids) < 2:
            return labels
        share = np.array([weights[labels == k].sum() for k in ids]) / max(weights.sum(), 1e-9)
        small = int(np.argmin(share))
        if share[small] >= min_share:
            return labels
        keep = [k for k in ids if k != ids[small]]
        centres = _normalise(np.stack([emb[labels == k].mean(axis=0) for k in keep]))
        moved = labels == ids[small]
        labels = labels.copy()
        labels[moved] = np.asarray(keep)[np.argmax(emb[moved] @ centres.T, axis=1)]


def cluster_speakers(embeddings: np.ndarray, speakers: int = 0, threshold: float = DEFAULT_THRESHOLD,
                     max_speakers: int = 10, weights: np.ndarray | None = None,
                     min_share: float = 0.04) -> np.ndarray:
    """Speaker index (0..N-1, in order of first appearance) for each embedding row.

    ``speakers`` > 0 fixes the count (capped by the number of windows); 0 finds it with ``threshold``.
    ``weights`` (seconds of speech each window stands for) decide which clusters are too small to be a speaker.
    """
    emb = _normalise(np.asarray(embeddings, np.float64))
    n = len(emb)
    if n == 0:
        return np.zeros(0, int)
    if n == 1 or speakers == 1:
        return np.zeros(n, int)
    from scipy.cluster.hierarchy import fcluster, linkage

    tree = linkage(emb, method="average", metric="cosine")
    if speakers > 0:
        labels = fcluster(tree, t=min(speakers, n), criterion="maxclust")
    else:
        labels = fcluster(tree, t=threshold, criterion="distance")
        if len(np.unique(labels)) > max_speakers:
            labels = fcluster(tree, t=max_speakers, criterion="maxclust")
    labels = _refine(emb, labels)
    if speakers <= 0:
        w = np.ones(n) if weights is None else np.asarray(weights, float)
        labels = _refine(emb, _fold_small(emb, labels, w, min_share))
    # Renumber by first appearance so "Speaker 1" is whoever speaks first.
    order = {k: i for i, k in enumerate(dict.fromkeys(labels.tolist()))}
    return np.array([order[k] for k in labels.tolist()], int)
