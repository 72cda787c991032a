"""Live song identification: the last ``WINDOW_S`` seconds of the microphone, fingerprinted every ``EVERY_S``
seconds and looked up in the library; a new identification comes out as a Matches layer.

A ``LiveProcessor`` contribution of the cover_search plugin. ``push`` runs in the live driver's worker thread
and opens its own SQLite connection for each look-up (connections stay in their thread).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np

from workbench.core.errors import WorkbenchError
from workbench.core.layers import Match, Matches

from .fingerprint import SAMPLE_RATE
from .identify import check_ready, identify
from .library import Library, default_library_path

WINDOW_S = 8.0  # seconds of microphone audio identified at a time
EVERY_S = 2.0  # seconds between look-ups


class LiveIdentifier:
    """StreamProcessor: 8 kHz hops in, a Matches layer out whenever the identified recording changes."""

    sample_rate = SAMPLE_RATE

    def __init__(self, library_path: str | Path | None = None):
        self.path = Path(library_path) if library_path else default_library_path()
        with Library(self.path) as lib:  # fails now (shown by the live panel) when nothing can be identified
            check_ready(lib.db, str(self.path))
        self.buffer = np.zeros(0, np.float32)
        self.buffer_t0 = 0.0
        self.since = 0.0
        self.current: str | None = None

    def push(self, samples, t0: float) -> list:
        samples = np.asarray(samples, np.float32)
        keep = int(WINDOW_S * SAMPLE_RATE)
        self.buffer = np.concatenate([self.buffer, samples])[-keep:]
        self.buffer_t0 = t0 + len(samples) / SAMPLE_RATE - len(self.buffer) / SAMPLE_RATE
        self.since += len(samples) / SAMPLE_RATE
        if len(self.buffer) < keep or self.since < EVERY_S:
            return []
        self.since = 0.0
        db = sqlite3.connect(str(self.path))
        try:
            found = identify(db, str(self.path), self.buffer, SAMPLE_RATE, top_k=3)
        except WorkbenchError:  # silence between songs: nothing to say
            return []
        finally:
            db.close()
        if not found or found[0]["path"] == self.current:
            return []
        self.current = found[0]["path"]
        matches = [Match(item=m["path"], score=float(m["score"]), title=Path(m["path"]).stem,
                         alignment=[(self.buffer_t0, m["offset_s"])]) for m in found]
        return [Matches(name="identified song", matches=matches,
                        metadata={"plugin": "cover_search", "live_time_s": self.buffer_t0,
                                  "offset_s": found[0]["offset_s"]})]

    def flush(self) -> list:
        return []


def make_processor(params: dict, ctx) -> LiveIdentifier:
    """``LiveProcessor`` factory."""
    return LiveIdentifier(params.get("library") or None)
