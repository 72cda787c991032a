"""Song identification against the library: landmark hashes in the library's SQLite database, offset voting.

Tables (created beside the cover-search tables by :func:`ensure_schema`): ``fingerprints (hash, track, frame)``
clustered on the hash (``WITHOUT ROWID``), so a clip's few hundred hashes are a few hundred B-tree look-ups, and
``fingerprinted (track, duration, hashes)`` listing the fingerprinted tracks with their hashes (to delete them
again by key when the track is re-analysed or removed).

A clip matches a track when at least ``MIN_ALIGNED`` of its hashes are found in the track at one common time
offset (+-1 frame); random coincidences stay in single figures. The offset says where in the track the clip
starts.
"""

from __future__ import annotations

import sqlite3

import numpy as np

from workbench.core.errors import WorkbenchError

from .fingerprint import FRAME_S, fingerprint

FINGERPRINT_VERSION = "1"
SCHEMA = """
CREATE TABLE IF NOT EXISTS fingerprints (hash INTEGER NOT NULL, track INTEGER NOT NULL, frame INTEGER NOT NULL,
    PRIMARY KEY (hash, track, frame)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS fingerprinted (track INTEGER PRIMARY KEY, duration REAL, hashes BLOB);
"""
MIN_ALIGNED = 10  # aligned hashes needed to call it a match
MIN_CLIP_S = 3.0
SILENCE_RMS = 1e-4
_LOOKUP_CHUNK = 500  # hashes per SQL query (SQLite's parameter limit is far above)


def ensure_schema(db: sqlite3.Connection) -> None:
    """Create the fingerprint tables; a library from before fingerprints (or another fingerprint version) keeps
    its tracks, which are marked for re-analysis so the next scan fingerprints them."""
    db.executescript(SCHEMA)
    row = db.execute("SELECT value FROM meta WHERE key='fingerprint_version'").fetchone()
    if row is None or row[0] != FINGERPRINT_VERSION:
        db.execute("DELETE FROM fingerprints")
        db.execute("DELETE FROM fingerprinted")
        db.execute("UPDATE tracks SET mtime=-1")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('fingerprint_version', ?)", (FINGERPRINT_VERSION,))
    db.commit()


def _forget(db: sqlite3.Connection, track: int, blob: bytes) -> None:
    h = np.unique(np.frombuffer(blob, np.uint32))
    db.executemany("DELETE FROM fingerprints WHERE hash=? AND track=?", [(int(x), track) for x in h])
    db.execute("DELETE FROM fingerprinted WHERE track=?", (track,))


def purge_orphans(db: sqlite3.Connection) -> int:
    """Delete the fingerprints of tracks no longer in the library (re-analysed files get a new track id)."""
    rows = db.execute("SELECT track, hashes FROM fingerprinted WHERE track NOT IN (SELECT id FROM tracks)").fetchall()
    for track, blob in rows:
        _forget(db, track, blob)
    return len(rows)


def store(db: sqlite3.Connection, track: int, hashes: np.ndarray, frames: np.ndarray, duration: float,
          commit: bool = True) -> None:
    """Replace the fingerprints of library track ``track``."""
    purge_orphans(db)
    old = db.execute("SELECT hashes FROM fingerprinted WHERE track=?", (track,)).fetchone()
    if old is not None:
        _forget(db, track, old[0])
    db.executemany("INSERT OR IGNORE INTO fingerprints VALUES (?, ?, ?)",
                   zip(hashes.astype(np.int64).tolist(), [track] * len(hashes), frames.astype(np.int64).tolist()))
    db.execute("INSERT INTO fingerprinted VALUES (?, ?, ?)", (track, float(duration), hashes.astype(np.uint32).tobytes()))
    if commit:
        db.commit()


def fingerprint_track(db: sqlite3.Connection, track: int, samples: np.ndarray, sample_rate: int) -> int:
    """Fingerprint one track's audio and store it; returns the number of hashes."""
    h, f = fingerprint(samples, sample_rate)
    store(db, track, h, f, len(samples) / sample_rate)
    return len(h)


def check_ready(db: sqlite3.Connection, path: str) -> float:
    """The longest fingerprinted track (s); a clear error when the library cannot identify anything yet."""
    tracks = db.execute("SELECT COUNT(*) FROM tracks WHERE embedding IS NOT NULL").fetchone()[0]
    done, longest = db.execute("SELECT COUNT(*), MAX(duration) FROM fingerprinted "
                               "WHERE track IN (SELECT id FROM tracks)").fetchone()
    if tracks == 0:
        raise WorkbenchError(f"The library {path} is empty: add a folder first (workbench library add DIR)")
    if done < tracks:
        raise WorkbenchError(f"{tracks - done} of {tracks} tracks in {path} have no fingerprints (the library was "
                             f"made by an older version): run 'workbench library --db {path} scan' first")
    return float(longest or 0.0)


def check_clip(samples: np.ndarray, sample_rate: int, longest_s: float) -> None:
    duration = len(samples) / sample_rate
    if duration < MIN_CLIP_S:
        raise WorkbenchError(f"The clip is too short to identify ({duration:.1f} s; at least {MIN_CLIP_S:g} s)")
    if not np.all(np.isfinite(samples)):
        raise WorkbenchError("The clip contains invalid samples (NaN or infinity)")
    if float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < SILENCE_RMS:
        raise WorkbenchError("The clip is silent: nothing to identify")
    if duration > longest_s + 1.0:
        raise WorkbenchError(f"The clip ({duration:.1f} s) is longer than every track in the library (longest "
                             f"{longest_s:.1f} s): identify an excerpt (--start/--end)")


def lookup(db: sqlite3.Connection, hashes: np.ndarray) -> np.ndarray:
    """(rows, 3) int64 [hash, track, frame] of every stored occurrence of ``hashes``."""
    uniq = np.unique(hashes).astype(np.int64).tolist()
    rows = []
    for i in range(0, len(uniq), _LOOKUP_CHUNK):
        part = uniq[i:i + _LOOKUP_CHUNK]
        rows += db.execute(f"SELECT hash, track, frame FROM fingerprints WHERE hash IN ({','.join('?' * len(part))})",
                           part).fetchall()
    return np.array(rows, np.int64).reshape(-1, 3)


def vote(q_hashes: np.ndarray, q_frames: np.ndarray, found: np.ndarray, top_k: int) -> list[tuple[int, float, int]]:
    """[(track, offset s, aligned hashes)] best first: per track the time offset most hashes agree on."""
    if len(found) == 0 or len(q_hashes) == 0:
        return []
    order = np.argsort(q_hashes, kind="stable")
    qh, qf = q_hashes[order].astype(np.int64), q_frames[order].astype(np.int64)
    lo, hi = np.searchsorted(qh, found[:, 0], "left"), np.searchsorted(qh, found[:, 0], "right")
    reps = hi - lo
    rows = np.repeat(np.arange(len(found)), reps)
    q_idx = np.concatenate([np.arange(a, b) for a, b in zip(lo, hi) if b > a]) if reps.sum() else np.zeros(0, int)
    delta = found[rows, 2] - qf[q_idx]
    base = 1 << 22
    keys = found[rows, 1] * (1 << 24) + (delta + base)
    uk, counts = np.unique(keys, return_counts=True)
    # +-1 frame tolerance: add the neighbouring offsets' votes
    near = counts.copy()
    for d in (-1, 1):
        j = np.searchsorted(uk, uk + d)
        ok = (j < len(uk)) & (uk[np.minimum(j, len(uk) - 1)] == uk + d)
        near[ok] += counts[j[ok]]
    tracks, deltas = uk >> 24, (uk & ((1 << 24) - 1)) - base
    best: dict[int, tuple[int, int, int]] = {}
    for t, d, n, c in zip(tracks.tolist(), deltas.tolist(), near.tolist(), counts.tolist()):
        if t not in best or (n, c) > best[t][:2]:
            best[t] = (n, c, d)
    ranked = sorted(((v[0], t, v[2]) for t, v in best.items()), reverse=True)[:top_k]
    return [(t, d * FRAME_S, n) for n, t, d in ranked]


def identify(db: sqlite3.Connection, path: str, samples: np.ndarray, sample_rate: int,
             top_k: int = 5) -> list[dict]:
    """``[{"path", "offset_s", "score"}]`` of the library tracks the clip comes from, best first ([] if none).

    ``score`` = number of hashes aligned at the reported offset (>= MIN_ALIGNED).
    """
    longest = check_ready(db, path)
    samples = np.asarray(samples, np.float32)
    check_clip(samples, sample_rate, longest)
    h, f = fingerprint(samples, sample_rate)
    found = lookup(db, h)
    paths = dict(db.execute("SELECT id, path FROM tracks"))
    out = []
    for track, offset, score in vote(h, f, found, top_k * 2):
        if score >= MIN_ALIGNED and track in paths:
            out.append({"path": paths[track], "offset_s": round(float(offset), 3), "score": int(score)})
    return out[:top_k]
