"""The cover-search library: an SQLite database of analysed tracks (embedding + compressed feature arrays).

One row per audio file with its mtime and size, so a rescan only re-analyses files that changed (and forgets
files that disappeared). Features are stored as npz blobs next to the embedding, in the same database file.
Thread rule: a :class:`Library` object belongs to one thread (SQLite connections are not shared); open another
one on the same path from a worker thread.
"""

from __future__ import annotations

import io
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np

from workbench.core.audio_io import AUDIO_EXTENSIONS, load_audio
from workbench.core.errors import JobCancelled, WorkbenchError

from .features import EMBEDDING_DIM, TrackFeatures, analyse_samples
from .identify import ensure_schema as ensure_fingerprint_schema
from .identify import fingerprint_track

SCHEMA = """
CREATE TABLE IF NOT EXISTS folders (path TEXT PRIMARY KEY, added REAL);
CREATE TABLE IF NOT EXISTS tracks (
    id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL, folder TEXT, mtime REAL, size INTEGER, duration REAL,
    title TEXT, embedding BLOB, features BLOB, analysed REAL, error TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
FEATURE_VERSION = "1"
ProgressFn = Callable[[float, str], None]


@dataclass
class ScanReport:
    analysed: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: int = 0
    seconds: float = 0.0


def default_library_path() -> Path:
    base = os.environ.get("WORKBENCH_DATA") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "audio-workbench")
    return Path(base) / "cover_library.sqlite"


class Library:
    """Open (or create) the library at ``path``."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else default_library_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path))
        try:
            self.db.executescript(SCHEMA)
            ensure_fingerprint_schema(self.db)  # older libraries: tracks kept, fingerprinted on the next scan
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise WorkbenchError(f"'{self.path}' is not a library database this version can read: {exc}") from exc
        row = self.db.execute("SELECT value FROM meta WHERE key='feature_version'").fetchone()
        if row and row[0] != FEATURE_VERSION:  # analysis changed: every track is redone on the next scan
            self.db.execute("UPDATE tracks SET mtime=-1")
        self.db.execute("INSERT OR REPLACE INTO meta VALUES ('feature_version', ?)", (FEATURE_VERSION,))
        self.db.commit()

    def close(self) -> None:
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- contents ---------------------------------------------------------------------------------------------
    def __len__(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM tracks WHERE embedding IS NOT NULL").fetchone()[0]

    def folders(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT path FROM folders ORDER BY path")]

    def tracks(self) -> list[tuple[int, str, str, float]]:
        """(id, path, title, duration s) of every analysed track."""
        return list(self.db.execute(
            "SELECT id, path, title, duration FROM tracks WHERE embedding IS NOT NULL ORDER BY path"))

    def embeddings(self) -> tuple[np.ndarray, np.ndarray]:
        """(ids (n,), embeddings (n, EMBEDDING_DIM) float32) of all analysed tracks."""
        rows = self.db.execute("SELECT id, embedding FROM tracks WHERE embedding IS NOT NULL").fetchall()
        ids = np.array([r[0] for r in rows], np.int64)
        emb = np.frombuffer(b"".join(r[1] for r in rows), np.float32).reshape(len(rows), EMBEDDING_DIM) \
            if rows else np.zeros((0, EMBEDDING_DIM), np.float32)
        return ids, emb

    def features(self, track_id: int) -> tuple[str, str, TrackFeatures]:
        """(path, title, features) of one track."""
        row = self.db.execute("SELECT path, title, embedding, features FROM tracks WHERE id=?", (track_id,)).fetchone()
        if row is None:
            raise WorkbenchError(f"No track {track_id} in the library {self.path}")
        with np.load(io.BytesIO(row[3])) as d:
            feats = TrackFeatures.from_npz_dict(d, np.frombuffer(row[2], np.float32).copy())
        return row[0], row[1], feats

    # -- adding / scanning ------------------------------------------------------------------------------------
    def add_folder(self, folder: str | os.PathLike, progress: ProgressFn | None = None,
                   cancelled: Callable[[], bool] | None = None) -> ScanReport:
        """Remember ``folder`` and analyse its audio files (recursively)."""
        folder = Path(folder).expanduser().resolve()
        if not folder.is_dir():
            raise WorkbenchError(f"Cannot add '{folder}' to the library: it is not a folder")
        self.db.execute("INSERT OR IGNORE INTO folders VALUES (?, ?)", (str(folder), time.time()))
        self.db.commit()
        return self.scan([folder], progress, cancelled)

    def scan(self, folders: Iterable[str | os.PathLike] | None = None, progress: ProgressFn | None = None,
             cancelled: Callable[[], bool] | None = None) -> ScanReport:
        """Re-scan ``folders`` (default: all library folders): analyse new/changed files, forget missing ones.

        Work done before a cancellation is kept (committed per file); raises :class:`JobCancelled` when cancelled.
        """
        t0 = time.perf_counter()
        report = ScanReport()
        folders = [Path(f).expanduser().resolve() for f in (folders if folders is not None else self.folders())]
        files = sorted({p for f in folders for p in f.rglob("*")
                        if p.is_file() and p.suffix.lower() in AUDIO_EXTENSIONS})
        for f in folders:  # forget tracks whose files are gone
            for tid, path in self.db.execute("SELECT id, path FROM tracks WHERE folder=?", (str(f),)).fetchall():
                if not Path(path).is_file():
                    self.db.execute("DELETE FROM tracks WHERE id=?", (tid,))
                    report.removed += 1
        self.db.commit()
        known = {r[0]: (r[1], r[2]) for r in self.db.execute("SELECT path, mtime, size FROM tracks")}
        for n, path in enumerate(files):
            if cancelled is not None and cancelled():
                raise JobCancelled()
            if progress:
                progress(n / max(1, len(files)), f"{n + 1}/{len(files)} {path.name}")
            st = path.stat()
            if known.get(str(path)) == (st.st_mtime, st.st_size):
                report.unchanged += 1
                continue
            folder = next((str(f) for f in folders if path.is_relative_to(f)), str(path.parent))
            self._analyse_file(path, folder, st, report)
        if progress:
            progress(1.0, f"{report.analysed} analysed, {report.unchanged} unchanged")
        report.seconds = time.perf_counter() - t0
        return report

    def _analyse_file(self, path: Path, folder: str, st: os.stat_result, report: ScanReport) -> None:
        try:
            buf = load_audio(path)
            feats = analyse_samples(buf.mono_samples, buf.sample_rate)
        except WorkbenchError as exc:  # unreadable/too short: remembered so it is not retried until it changes
            self.db.execute(
                "INSERT OR REPLACE INTO tracks (path, folder, mtime, size, title, error, analysed) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)", (str(path), folder, st.st_mtime, st.st_size, path.stem, str(exc),
                                                 time.time()))
            self.db.commit()
            report.failed += 1
            return
        track = self.put(str(path), feats, title=path.stem, folder=folder, mtime=st.st_mtime, size=st.st_size)
        fingerprint_track(self.db, track, buf.mono_samples, buf.sample_rate)
        report.analysed += 1

    def put(self, path: str, feats: TrackFeatures, title: str = "", folder: str = "", mtime: float = 0.0,
            size: int = 0, commit: bool = True) -> int:
        """Store (or replace) one analysed track; returns its id (``commit=False`` for bulk inserts)."""
        blob = io.BytesIO()
        np.savez_compressed(blob, **feats.to_npz_dict())
        self.db.execute(
            "INSERT OR REPLACE INTO tracks (path, folder, mtime, size, duration, title, embedding, features, "
            "analysed, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (path, folder, mtime, size, feats.duration, title or Path(path).stem,
             feats.embedding.astype(np.float32).tobytes(), blob.getvalue(), time.time()))
        if commit:
            self.db.commit()
        return self.db.execute("SELECT id FROM tracks WHERE path=?", (path,)).fetchone()[0]
