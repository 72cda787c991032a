"""Key estimation: chroma correlated with key profiles, key changes by an HMM over the 24 keys.

Profiles are Temperley's (Kostka-Payne corpus) major and minor profiles. The chroma is the treble chroma plus
the bass chroma (bass notes lean on the tonic and dominant). Local keys: chroma summed over windows of
``WINDOW_S`` seconds every ``HOP_S`` seconds, correlated with the 24 rotated profiles, decoded by Viterbi with a
strong preference for staying in a key (a modulation must hold for several windows to be reported).
"""

from __future__ import annotations

import numpy as np

NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
MAJOR = np.array([5.0, 2.0, 3.5, 2.0, 4.5, 4.0, 2.0, 4.5, 2.0, 3.5, 1.5, 4.0])
MINOR = np.array([5.0, 2.0, 3.5, 4.5, 2.0, 4.0, 2.0, 4.5, 3.5, 2.0, 1.5, 4.0])
WINDOW_S = 8.0
HOP_S = 2.0
STAY_PROB = 0.97  # per window hop
SHARPNESS = 20.0
BASS_WEIGHT = 1.0


def key_names() -> list[str]:
    return [f"{NAMES[t]} major" for t in range(12)] + [f"{NAMES[t]} minor" for t in range(12)]


def profiles() -> np.ndarray:
    """(24, 12) zero-mean unit-norm key profiles, majors then minors, tonic C first."""
    rows = [np.roll(MAJOR, t) for t in range(12)] + [np.roll(MINOR, t) for t in range(12)]
    p = np.array(rows) - np.mean(rows, axis=1, keepdims=True)
    return p / np.linalg.norm(p, axis=1, keepdims=True)


# How well a chord fits a key: (semitones from the tonic to the root, quality) -> weight; others CHORD_OUTSIDE.
MAJOR_FIT = {(0, "maj"): 3.0, (5, "maj"): 1.5, (7, "maj"): 2.0, (7, "7"): 2.5, (2, "min"): 1.0, (4, "min"): 0.7,
             (9, "min"): 1.0, (0, "7"): 1.0}
MINOR_FIT = {(0, "min"): 3.0, (5, "min"): 1.5, (7, "maj"): 2.0, (7, "7"): 2.5, (7, "min"): 1.0, (8, "maj"): 1.0,
             (3, "maj"): 1.0, (10, "maj"): 1.0, (5, "maj"): 0.5}
CHORD_OUTSIDE = -0.5
CHORD_WEIGHT = 0.4  # weight of the chord fit next to the profile correlation


def chord_fit(roots: np.ndarray, qualities: list[str], weights: np.ndarray) -> np.ndarray:
    """(24,) duration-weighted mean fit of the chords (root pitch class, quality; N has root -1) to each key."""
    out = np.zeros(24)
    total = float(weights[roots >= 0].sum())
    if total <= 0:
        return out
    for k in range(24):
        tonic, table = k % 12, (MAJOR_FIT if k < 12 else MINOR_FIT)
        fit = [table.get(((r - tonic) % 12, q), CHORD_OUTSIDE) for r, q in zip(roots, qualities) if r >= 0]
        out[k] = float(np.dot(fit, weights[roots >= 0])) / total
    return out


def correlations(chroma: np.ndarray) -> np.ndarray:
    """(n, 24) Pearson correlation of each chroma row (n, 12) with each key profile."""
    c = chroma - chroma.mean(axis=-1, keepdims=True)
    c = c / np.maximum(np.linalg.norm(c, axis=-1, keepdims=True), 1e-9)
    return c @ profiles().T


def global_key(chroma: np.ndarray, fit: np.ndarray | None = None) -> tuple[int, float]:
    """(key index into :func:`key_names`, confidence 0..1) of the summed chroma (frames, 12), optionally helped
    by the chords' fit to each key (:func:`chord_fit`)."""
    r = correlations(chroma.sum(axis=0)[None])[0]
    best = int(np.argmax(r + (0 if fit is None else CHORD_WEIGHT * fit)))
    return best, float(np.clip(r[best], 0.0, 1.0))


def windows(chroma: np.ndarray, times: np.ndarray, duration: float):
    """(window starts s, window ends s, summed chroma per window (w, 12))."""
    starts = np.arange(0.0, max(duration - WINDOW_S, 0.0) + 1e-9, HOP_S)
    ends = np.minimum(starts + WINDOW_S, duration)
    idx_a, idx_b = np.searchsorted(times, starts), np.searchsorted(times, ends)
    sums = np.stack([chroma[a:b].sum(axis=0) if b > a else np.zeros(12) for a, b in zip(idx_a, idx_b)])
    return starts, ends, sums


def local_keys(chroma: np.ndarray, times: np.ndarray, duration: float, chords=None):
    """Key segments: (starts s, ends s, key indices, confidences).

    ``chords``: optional (chord start times s, roots, qualities, durations s) whose fit helps each window.
    """
    starts, ends, sums = windows(chroma, times, duration)
    r = correlations(sums)
    score = r.copy()
    if chords is not None:
        t, roots, quals, durs = chords
        for i, (a, b) in enumerate(zip(starts, ends)):
            inside = (t >= a) & (t < b)
            if inside.any():
                inside_quals = [q for q, m in zip(quals, inside) if m]
                score[i] += CHORD_WEIGHT * chord_fit(roots[inside], inside_quals, durs[inside])
    z = SHARPNESS * score
    log_e = z - z.max(axis=1, keepdims=True)
    log_e -= np.log(np.exp(log_e).sum(axis=1, keepdims=True))
    n, k = log_e.shape
    log_t = np.full((k, k), np.log((1 - STAY_PROB) / (k - 1)))
    np.fill_diagonal(log_t, np.log(STAY_PROB))
    delta, back = log_e[0].copy(), np.zeros((n, k), int)
    for i in range(1, n):
        cand = delta[:, None] + log_t
        back[i] = np.argmax(cand, axis=0)
        delta = cand[back[i], np.arange(k)] + log_e[i]
    path = np.zeros(n, int)
    path[-1] = int(np.argmax(delta))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    # segments: a change is placed in the middle of the overlap of the windows on either side
    seg_starts, seg_keys, seg_conf = [0.0], [int(path[0])], [[r[0, path[0]]]]
    for i in range(1, n):
        if path[i] != path[i - 1]:
            seg_starts.append(float(starts[i] + (WINDOW_S - HOP_S) / 2))
            seg_keys.append(int(path[i]))
            seg_conf.append([])
        seg_conf[-1].append(r[i, path[i]])
    seg_ends = seg_starts[1:] + [duration]
    conf = np.clip([float(np.mean(c)) for c in seg_conf], 0.0, 1.0)
    return np.array(seg_starts), np.array(seg_ends), seg_keys, conf
