"""The job database of a batch run: one SQLite file in the output folder, one row per input file.

A row records the input's size, mtime and content hash, the plugin, its resolved parameters and the output
format, the status (``done``, ``failed``, ``writing``), the output files (relative to the output folder) and
the error. The main process is the only writer and commits after every finished file, so an interrupted run
leaves a consistent database: rows are either finished or absent/``writing`` (redone on the next run).
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path

DB_NAME = ".workbench-batch.sqlite"
LOCK_NAME = ".workbench-batch.lock"  # one batch at a time writes into an output folder
SCHEMA = """
CREATE TABLE IF NOT EXISTS inputs (
    rel TEXT PRIMARY KEY,            -- input path relative to the input folder (posix)
    size INTEGER, mtime_ns INTEGER, hash TEXT,
    plugin TEXT, params TEXT, format TEXT,
    out_base TEXT,                   -- output name without extension, relative to the output folder
    status TEXT,                     -- done | failed | writing
    outputs TEXT,                    -- JSON list of output files relative to the output folder
    rows TEXT,                       -- JSON table rows for the collection tables ({kind: [row, ...]})
    error TEXT, seconds REAL, finished REAL);
CREATE TABLE IF NOT EXISTS owned (path TEXT PRIMARY KEY);  -- every output file the batch ever wrote (relative)
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


def _exclusive_lock(path: Path):
    """An open file holding an exclusive lock on ``path``; refuses when another batch holds it."""
    try:
        import fcntl
    except ImportError:  # Windows: no advisory locks here; one batch per folder is then up to the user
        return None
    fh = open(path, "a")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.close()
        from workbench.core.errors import WorkbenchError

        raise WorkbenchError(f"Another batch is writing into '{path.parent}'; wait for it or choose another "
                             "--out-dir") from None
    return fh


@dataclass
class Record:
    rel: str
    size: int = 0
    mtime_ns: int = 0
    hash: str = ""
    plugin: str = ""
    params: str = ""
    format: str = ""
    out_base: str = ""
    status: str = ""
    outputs: list[str] = field(default_factory=list)
    rows: dict = field(default_factory=dict)
    error: str = ""
    seconds: float = 0.0
    finished: float = 0.0


_COLUMNS = ("rel", "size", "mtime_ns", "hash", "plugin", "params", "format", "out_base", "status", "outputs",
            "rows", "error", "seconds", "finished")


class JobDB:
    """The job database at ``out_dir / DB_NAME`` (created when missing). Belongs to one thread."""

    def __init__(self, out_dir: str | Path):
        self.path = Path(out_dir) / DB_NAME
        self._lock = _exclusive_lock(Path(out_dir) / LOCK_NAME)
        self.db = sqlite3.connect(str(self.path), timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")  # a crash mid-commit never corrupts finished rows
        # WAL + NORMAL: each commit is atomic and survives the process being killed; only a power cut may lose
        # the last few commits (those files are then simply redone). Thousands of commits/s instead of ~100.
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        self.db.commit()

    def close(self) -> None:
        self.db.close()
        if self._lock is not None:
            self._lock.close()  # releases the lock

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def records(self) -> dict[str, Record]:
        cur = self.db.execute(f"SELECT {', '.join(_COLUMNS)} FROM inputs")
        out = {}
        for row in cur:
            d = dict(zip(_COLUMNS, row))
            d["outputs"] = json.loads(d["outputs"] or "[]")
            d["rows"] = json.loads(d["rows"] or "{}")
            d = {k: ("" if v is None and k in ("hash", "plugin", "params", "format", "out_base", "status", "error")
                     else v) for k, v in d.items()}
            out[d["rel"]] = Record(**{k: (0 if v is None else v) for k, v in d.items()})
        return out

    def owned(self) -> dict[str, str]:
        """Every output file this batch has written or was about to write: case-folded relative path -> path."""
        return {r[0].casefold(): r[0] for r in self.db.execute("SELECT path FROM owned")}

    def own(self, paths: list[str]) -> None:
        """Record ``paths`` (relative to the output folder) as the batch's own, before they are written."""
        self.db.executemany("INSERT OR IGNORE INTO owned VALUES (?)", [(p,) for p in paths])
        self.db.commit()

    def put(self, rec: Record, own: list[str] = ()) -> None:
        """Insert or replace ``rec`` (and record ``own`` as the batch's files) in one commit."""
        if own:
            self.db.executemany("INSERT OR IGNORE INTO owned VALUES (?)", [(p,) for p in own])
        rec.finished = rec.finished or time.time()
        values = [getattr(rec, c) for c in _COLUMNS]
        values[_COLUMNS.index("outputs")] = json.dumps(rec.outputs)
        values[_COLUMNS.index("rows")] = json.dumps(rec.rows, default=float)
        self.db.execute(f"INSERT OR REPLACE INTO inputs ({', '.join(_COLUMNS)}) VALUES "
                        f"({', '.join('?' * len(_COLUMNS))})", values)
        self.db.commit()

    def update_stat(self, rel: str, size: int, mtime_ns: int) -> None:
        """The file was touched but its content is the same: remember the new size/mtime."""
        self.db.execute("UPDATE inputs SET size=?, mtime_ns=? WHERE rel=?", (size, mtime_ns, rel))
        self.db.commit()
