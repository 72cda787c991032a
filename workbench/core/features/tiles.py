"""Tile caches for the spectrogram view: a byte-bounded in-memory LRU and an optional on-disk store (np.save)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np


class MemoryLRU:
    """Thread-safe LRU of numpy arrays bounded by total bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max(0, int(max_bytes))
        self._d: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            arr = self._d.get(key)
            if arr is not None:
                self._d.move_to_end(key)
            return arr

    def put(self, key, arr: np.ndarray) -> None:
        with self._lock:
            old = self._d.pop(key, None)
            if old is not None:
                self._bytes -= old.nbytes
            if arr.nbytes > self.max_bytes:
                return
            self._d[key] = arr
            self._bytes += arr.nbytes
            while self._bytes > self.max_bytes and self._d:
                _, ev = self._d.popitem(last=False)
                self._bytes -= ev.nbytes

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._d)


class DiskTiles:
    """Tiles as float16 .npy files under ``root/<file identity>/<analysis hash>/L<level>_T<tile>.npy``.

    float16 keeps dB values to within 0.06 dB (|dB| < 128) at half the disk space. Writes go to a temporary
    name then os.replace, so readers never see half a file (several threads or processes may share the
    folder). Unreadable files are treated as missing. ``prune(max_bytes)`` removes the least recently used
    files' folders when the whole cache root grows too big.
    """

    def __init__(self, root: Path, identity: str):
        self.base = Path(root)
        self.root = self.base / identity

    @staticmethod
    def analysis_folder(key: tuple) -> str:
        return hashlib.sha1(repr(key).encode()).hexdigest()[:16]

    def path(self, folder: str, level: int, tile: int) -> Path:
        return self.root / folder / f"L{level}_T{tile}.npy"

    def load(self, folder: str, level: int, tile: int) -> np.ndarray | None:
        p = self.path(folder, level, tile)
        if not p.exists():
            return None
        try:
            arr = np.load(p, allow_pickle=False).astype(np.float32)
        except (OSError, ValueError):
            return None
        try:
            os.utime(self.root)  # mark this file's folder as recently used for prune()
        except OSError:
            pass
        return arr

    def save(self, folder: str, level: int, tile: int, arr: np.ndarray) -> None:
        p = self.path(folder, level, tile)
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            tmp = p.with_name(f".{p.stem}.{os.getpid()}.{threading.get_ident()}.tmp.npy")
            np.save(tmp, arr.astype(np.float16), allow_pickle=False)
            os.replace(tmp, p)
        except OSError:
            pass  # a full or read-only disk only costs speed


    def prune(self, max_bytes: int) -> None:
        """Delete whole file folders under the cache root, least recently used first, until the root holds at
        most ``max_bytes`` (this file's own folder is kept)."""
        import shutil

        try:
            folders = [d for d in self.base.iterdir() if d.is_dir()]
            sizes = {d: sum(f.stat().st_size for f in d.rglob("*.npy")) for d in folders}
            total = sum(sizes.values())
            for d in sorted(folders, key=lambda d: d.stat().st_mtime):
                if total <= max_bytes:
                    break
                if d != self.root:
                    shutil.rmtree(d, ignore_errors=True)
                    total -= sizes[d]
        except OSError:
            pass


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/audio-workbench/spectrogram (or ~/.cache/...)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "audio-workbench" / "spectrogram"
