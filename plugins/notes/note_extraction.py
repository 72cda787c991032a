"""Turning Basic Pitch's frame and onset activations into note events (pure numpy).

A port of ``basic_pitch.note_creation.output_to_notes_polyphonic`` (Apache-2.0, Spotify AB), which cannot
be imported here because it pulls pretty_midi and friends at import time. The decisions are the same:
onsets are local maxima of the onset activation (plus onsets inferred from rises of the frame
activation) above ``onset_threshold``; a note lasts while the frame activation stays above
``frame_threshold`` (allowing ``energy_tol`` frames below); notes of ``min_frames`` frames or fewer are
dropped; then the "melodia trick" turns strong leftover frame activation into notes too. The melodia
pass visits the leftover cells strongest first from one sort instead of a full argmax per note, which
picks the same cells (values only ever drop to zero) in O(n log n).

Units: frame indices at ``FRAME_RATE`` frames per second; pitches as MIDI numbers (21 = A0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import argrelmax

MIDI_OFFSET = 21  # MIDI number of activation column 0 (A0, 27.5 Hz)
N_PITCHES = 88
ENERGY_TOL = 11  # frames a note may dip below the frame threshold and continue


@dataclass
class NoteEvents:
    """Notes as frame indices: start (inclusive), end (exclusive), MIDI pitch, mean frame activation 0..1."""

    starts: np.ndarray
    ends: np.ndarray
    pitches: np.ndarray
    amplitudes: np.ndarray


def _hz_to_column(hz: float) -> int:
    return int(np.round(12.0 * np.log2(hz / 440.0) + 69.0 - MIDI_OFFSET))


def constrain_frequency(onsets: np.ndarray, frames: np.ndarray, fmin: float | None, fmax: float | None) -> None:
    """Zero (in place) the activations of pitches below ``fmin`` / above ``fmax`` Hz."""
    if fmax is not None:
        hi = max(0, _hz_to_column(fmax))
        onsets[:, hi:] = 0
        frames[:, hi:] = 0
    if fmin is not None:
        lo = max(0, _hz_to_column(fmin))
        onsets[:, :lo] = 0
        frames[:, :lo] = 0


def inferred_onsets(onsets: np.ndarray, frames: np.ndarray, n_diff: int = 2) -> np.ndarray:
    """The onset activation, raised where the frame activation jumps up (rescaled to the onsets' maximum)."""
    diffs = []
    for n in range(1, n_diff + 1):
        shifted = np.concatenate([np.zeros((n, frames.shape[1]), frames.dtype), frames])
        diffs.append(shifted[n:, :] - shifted[:-n, :])
    rise = np.maximum(np.min(diffs, axis=0), 0)
    rise[:n_diff, :] = 0
    peak = rise.max() if rise.size else 0.0
    if peak > 0:
        rise = onsets.max() * rise / peak
    return np.maximum(onsets, rise)


def _zero_note(energy: np.ndarray, a: int, b: int, col: int) -> None:
    energy[a:b, col] = 0
    if col < N_PITCHES - 1:
        energy[a:b, col + 1] = 0
    if col > 0:
        energy[a:b, col - 1] = 0


def extract_notes(frames: np.ndarray, onsets: np.ndarray, onset_threshold: float, frame_threshold: float,
                  min_frames: int, fmin: float | None = None, fmax: float | None = None,
                  infer_onsets: bool = True, melodia_trick: bool = True, energy_tol: int = ENERGY_TOL,
                  check=None) -> NoteEvents:
    """Note events from (n_frames, 88) frame and onset activations. ``check()`` is called now and then
    (a cancellation point)."""
    frames = np.array(frames, dtype=np.float32)
    onsets = np.array(onsets, dtype=np.float32)
    n_frames = frames.shape[0]
    constrain_frequency(onsets, frames, fmin, fmax)
    if infer_onsets:
        onsets = inferred_onsets(onsets, frames)

    peaks = np.zeros_like(onsets)
    idx = argrelmax(onsets, axis=0)
    peaks[idx] = onsets[idx]
    t_idx, f_idx = np.where(peaks >= onset_threshold)
    order = np.lexsort((f_idx, t_idx))[::-1]  # latest onsets first, as the original
    energy = frames.copy()
    notes: list[tuple[int, int, int, float]] = []
    for n, (start, col) in enumerate(zip(t_idx[order], f_idx[order])):
        if check and n % 256 == 0:
            check()
        if start >= n_frames - 1:
            continue
        i, k = start + 1, 0
        while i < n_frames - 1 and k < energy_tol:
            k = k + 1 if energy[i, col] < frame_threshold else 0
            i += 1
        i -= k  # back to the last frame above the threshold
        if i - start <= min_frames:
            continue
        _zero_note(energy, start, i, col)
        notes.append((int(start), int(i), int(col) + MIDI_OFFSET, float(frames[start:i, col].mean())))

    if melodia_trick:
        cand_t, cand_f = np.where(energy > frame_threshold)
        strongest = np.argsort(-energy[cand_t, cand_f], kind="stable")
        for n, c in enumerate(strongest):
            if check and n % 4096 == 0:
                check()
            mid, col = int(cand_t[c]), int(cand_f[c])
            if energy[mid, col] <= frame_threshold:
                continue  # already taken by a note found earlier
            energy[mid, col] = 0
            end = _follow(energy, mid, col, +1, n_frames, frame_threshold, energy_tol)
            start = _follow(energy, mid, col, -1, n_frames, frame_threshold, energy_tol)
            if end - start <= min_frames:
                continue
            notes.append((start, end, col + MIDI_OFFSET, float(frames[start:end, col].mean())))

    if not notes:
        empty = np.zeros(0)
        return NoteEvents(empty.astype(int), empty.astype(int), empty.astype(int), empty)
    s, e, p, a = (np.array(v) for v in zip(*notes))
    order = np.lexsort((p, s))
    return NoteEvents(s[order], e[order], p[order], a[order])


def _follow(energy: np.ndarray, mid: int, col: int, step: int, n_frames: int, threshold: float, tol: int) -> int:
    """Walk from ``mid`` in direction ``step`` while the activation stays up, clearing it (and the
    neighbouring pitches) as the original does; returns the end (exclusive, forward) or start (backward)."""
    i, k = mid + step, 0
    inside = (lambda j: j < n_frames - 1) if step > 0 else (lambda j: j > 0)
    while inside(i) and k < tol:
        k = k + 1 if energy[i, col] < threshold else 0
        energy[i, col] = 0
        if col < N_PITCHES - 1:
            energy[i, col + 1] = 0
        if col > 0:
            energy[i, col - 1] = 0
        i += step
    return i - 1 - k if step > 0 else i + 1 + k
