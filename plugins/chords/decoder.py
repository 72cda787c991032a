"""Chord recognition: beat-synchronous treble + bass chroma, chord templates, Viterbi decoding.

Vocabulary: 12 roots x {maj, min, 7} plus ``N`` (no chord), in Harte syntax (``C:maj``, ``A:min``, ``G:7``).
Each beat gets a score per chord: the cosine between its treble chroma and the chord's template (chord tones, with
the weak upper partials a real instrument adds), plus how much of its bass chroma sits on the chord's root (or,
less, on another chord tone: inversions). Scores become emission probabilities through a softmax; an HMM whose
transition matrix favours staying on the same chord (``SELF_PROB``) is decoded with Viterbi, so single-beat
flickers are smoothed away while chord changes on any beat stay possible.
"""

from __future__ import annotations

import numpy as np

NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
QUALITIES = {"maj": (0, 4, 7), "min": (0, 3, 7), "7": (0, 4, 7, 10)}
QUALITY_PRIOR = {"maj": 0.0, "min": 0.0, "7": -0.04}  # a seventh must be clearly heard to win over the triad
SELF_PROB = 0.4  # probability of staying on the same chord from one beat to the next (tuned on renders)
SHARPNESS = 14.0  # softmax temperature on the scores
BASS_WEIGHT = 0.4
N_SCORE = 0.25  # score of "no chord" on a beat with normal energy
SILENT_DB = -35.0  # beats this far below the loudest beat are "no chord"


def vocabulary() -> list[str]:
    return [f"{NAMES[r]}:{q}" for q in QUALITIES for r in range(12)] + ["N"]


def templates() -> np.ndarray:
    """(24 + 12, 12) unit-norm treble templates (rows in :func:`vocabulary` order, N excluded)."""
    rows = []
    for q, intervals in QUALITIES.items():
        base = np.zeros(12)
        for iv in intervals:
            base[iv] += 1.0 if iv != 10 else 0.8
            base[(iv + 7) % 12] += 0.1  # third partial of every chord tone
        for r in range(12):
            rows.append(np.roll(base, r))
    t = np.array(rows)
    return t / np.linalg.norm(t, axis=1, keepdims=True)


def bass_weights() -> np.ndarray:
    """(36, 12): weight of each bass pitch class for each chord (root 1, other chord tones 0.3)."""
    rows = []
    for q, intervals in QUALITIES.items():
        for r in range(12):
            w = np.zeros(12)
            for iv in intervals[1:]:
                w[(r + iv) % 12] = 0.3
            w[r] = 1.0
            rows.append(w)
    return np.array(rows)


def chord_scores(treble: np.ndarray, bass: np.ndarray, energy_db: np.ndarray) -> np.ndarray:
    """(beats, 37) score of every chord of the vocabulary on each beat."""
    t = treble / np.maximum(np.linalg.norm(treble, axis=1, keepdims=True), 1e-9)
    b = bass / np.maximum(bass.sum(axis=1, keepdims=True), 1e-9)
    scores = t @ templates().T + BASS_WEIGHT * (b @ bass_weights().T)
    scores += np.array([QUALITY_PRIOR[q] for q in QUALITIES for _ in range(12)])
    n_col = np.full((len(t), 1), N_SCORE)
    n_col[(energy_db < SILENT_DB) | (np.linalg.norm(treble, axis=1) < 1e-6)] = 10.0
    return np.hstack([scores, n_col])


def viterbi(scores: np.ndarray, self_prob: float = SELF_PROB, sharpness: float = SHARPNESS) -> np.ndarray:
    """Most likely state per beat given ``scores`` (beats, states): log-softmax emissions, loop transitions."""
    n_beats, n_states = scores.shape
    if n_beats == 0:
        return np.zeros(0, int)
    z = sharpness * scores
    log_e = z - z.max(axis=1, keepdims=True)
    log_e -= np.log(np.exp(log_e).sum(axis=1, keepdims=True))
    log_stay = np.log(self_prob)
    log_move = np.log((1 - self_prob) / (n_states - 1))
    delta = log_e[0].copy()
    back = np.zeros((n_beats, n_states), int)
    for i in range(1, n_beats):
        best_prev = int(np.argmax(delta))
        move = delta[best_prev] + log_move
        stay = delta + log_stay
        back[i] = np.where(stay >= move, np.arange(n_states), best_prev)
        delta = np.maximum(stay, move) + log_e[i]
    path = np.zeros(n_beats, int)
    path[-1] = int(np.argmax(delta))
    for i in range(n_beats - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def decode(treble: np.ndarray, bass: np.ndarray, energy_db: np.ndarray,
           self_prob: float = SELF_PROB) -> tuple[list[str], np.ndarray]:
    """(chord label per beat, confidence per beat 0..1) from beat-synchronous features."""
    scores = chord_scores(treble, bass, energy_db)
    path = viterbi(scores, self_prob)
    z = SHARPNESS * scores
    post = np.exp(z - z.max(axis=1, keepdims=True))
    post /= post.sum(axis=1, keepdims=True)
    vocab = vocabulary()
    return [vocab[s] for s in path], post[np.arange(len(path)), path]


def merge(edges: np.ndarray, labels: list[str], confidences: np.ndarray):
    """Runs of equal beat labels -> (starts, ends, labels, mean confidences)."""
    starts, ends, out, conf = [], [], [], []
    for i, lab in enumerate(labels):
        if out and out[-1] == lab:
            ends[-1] = edges[i + 1]
            conf[-1].append(confidences[i])
        else:
            starts.append(edges[i]), ends.append(edges[i + 1]), out.append(lab), conf.append([confidences[i]])
    return np.array(starts), np.array(ends), out, np.array([float(np.mean(c)) for c in conf])
