"""Visible-range spectrogram rendering for the GUI: screen-resolution columns from a level-of-detail pyramid of
cached tiles, so an hour-long file scrolls and zooms smoothly.

Level L has a hop of BASE_HOP * 2**L samples; a tile is TILE_COLS consecutive columns of one level. Up to the
*step level* (hop = n_fft / 2, or the CQT hop at most half its shortest filter: frames overlap, every sample is seen)
column j is the frame centred on sample j * hop (the frame grid of compute_spectrogram). Above it, the view is a
max pyramid: column j of level L is the maximum of the two level L-1 columns 2j and 2j+1, i.e. of EVERY step-level
frame under it, so a zoomed-out column summarises all of its audio and a 3 ms click in an hour still shows.
A view picks the coarsest level with at least one column per pixel and max-pools columns into pixels. Tiles live
in a byte-bounded memory LRU and, for big files or when ``cache_dir`` is given, on disk; ``render(on_partial=)``
hands out the tiles done so far while the rest are computed. No Qt here: render() is called from worker threads.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from .audio import AudioBuffer
from .errors import InvalidParameterError, JobCancelled
from .features import SpectrogramImage, SpectrogramSettings, cqt_frequencies, row_frequencies
from .features.frequencies import cqt_alpha
from .features.settings import DB_FLOOR
from .features.tiles import DiskTiles, MemoryLRU, default_cache_dir

BASE_HOP = 32  # samples: finest level's hop
TILE_COLS = 256  # columns per tile
MAX_LEVEL = 24
DISK_CACHE_MIN_SECONDS = 600.0  # without an explicit cache_dir, files this long get a disk cache
DISK_MIN_LEVEL = 7  # only levels with a hop >= 4096 samples go to disk: the fine ones are cheap and numerous
MEMORY_MB, MEMORY_MB_WITH_DISK = 512, 32  # bounds of the in-memory tile LRU (an hour of WAV: 32 MB over the
# disk cache peaks at 2161-2171 MiB, 64 MB at 2211-2219 MiB; zoom and scroll steps the same, 39-48 ms)
DISK_MAX_BYTES = 2 * 2**30  # the disk cache root is pruned (least recently used files first) above this
DIRECT_POOL = 3  # summary levels up to step level + 3 are pooled straight from frames (<= 8 frames a column)
PYRAMID_VERSION = "maxpool-2"  # older caches (one frame per column; STFT steps of the hop) are not reused


class _Source:
    """Zero-padded reads of one channel or the mono mix of a (channels, samples) array (memmaps welcome)."""

    def __init__(self, samples: np.ndarray, channel: int | None):
        self.samples, self.channel, self.n = samples, channel, samples.shape[1]

    def _rows(self, cols):
        s = self.samples
        if self.channel is not None:
            return s[self.channel, cols]
        if s.shape[0] == 1:
            return s[0, cols]
        acc = s[0, cols].astype(np.float32, copy=True)
        for c in range(1, s.shape[0]):
            acc += s[c, cols]
        acc *= np.float32(1.0 / s.shape[0])
        return acc

    def read(self, a: int, b: int) -> np.ndarray:
        out = np.zeros(max(0, b - a), dtype=np.float32)
        lo, hi = max(a, 0), min(b, self.n)
        if hi > lo:
            out[lo - a:hi - a] = self._rows(slice(lo, hi))
        return out

    def gather(self, starts: np.ndarray, n: int) -> np.ndarray:
        pos = np.asarray(starts, dtype=np.int64)[:, None] + np.arange(n)[None, :]
        if self.n == 0:
            return np.zeros(pos.shape, np.float32)
        ok = (pos >= 0) & (pos < self.n)
        vals = self._rows(np.clip(pos, 0, self.n - 1))
        return np.where(ok, vals, np.float32(0)).astype(np.float32, copy=False)


class SpectrogramProvider:
    """Thread-safe; render() is called from worker threads by the GUI, never on the GUI thread.

    ``audio``: the file (any number of channels). ``device``: torch device for the features. ``cache_dir``: disk
    tile cache root (None = a per-user cache folder, used only for files of 10 minutes or more).
    ``memory_mb``: bound of the in-memory tile LRU (default: MEMORY_MB, or MEMORY_MB_WITH_DISK over a disk cache). Disk holds levels >= ``disk_min_level`` (float16) only. ``stats`` counts tiles served from memory or disk, computed
    (wholly, or half when the coarser level gave the even columns) and derived from the finer level for free.
    """

    def __init__(self, audio: AudioBuffer, device: str = "cpu", cache_dir: Path | None = None,
                 memory_mb: int | None = None, decoded: Callable[[], int] | None = None):
        self.audio, self.device = audio, device
        self.sr, self.n = audio.sample_rate, audio.num_samples
        self._lock = threading.Lock()
        self._analysers: dict = {}
        self._overviews: dict = {}
        # While the file is still decoding into audio.samples: frames decoded so far (see decoding_frontier).
        self._decoded = decoded
        self._render_state = threading.local()
        self.identity = _file_identity(audio, contents=decoded is None)
        if cache_dir is None and audio.duration >= DISK_CACHE_MIN_SECONDS:
            cache_dir = default_cache_dir()
        if memory_mb is None:  # with a disk cache behind it, a smaller memory LRU only costs disk reads
            memory_mb = MEMORY_MB_WITH_DISK if cache_dir is not None else MEMORY_MB
        self._mem = MemoryLRU(memory_mb * 2**20)
        self._disk = DiskTiles(Path(cache_dir), self.identity) if cache_dir is not None else None
        self.disk_min_level = DISK_MIN_LEVEL
        self._pruned = False
        self.stats = {"memory_hits": 0, "disk_hits": 0, "computed": 0, "derived": 0}

    # ---------------------------------------------------------------- progressive decoding
    def decoding_frontier(self) -> int | None:
        """Frames of the file decoded so far while it decodes; None once all of it is there. Inside render()
        the value taken when the render began: the decoder outruns the analysis, and a render that chased it
        would show nothing until the decode ended."""
        snap = getattr(self._render_state, "frontier", _LIVE)
        if snap is not _LIVE:
            return snap
        dec = self._decoded
        if dec is None:
            return None
        got = int(dec())
        return None if got >= self.n else max(0, got)

    def finish_decoding(self, audio: AudioBuffer) -> None:
        """The decode ended: ``audio`` holds the same samples, all of them. Tiles made of decoded frames only
        were kept; the ones that reached past the decoded part were never stored and are computed again."""
        if audio.samples.shape != self.audio.samples.shape or not np.shares_memory(audio.samples, self.audio.samples):
            raise InvalidParameterError("finish_decoding needs the buffer that was being decoded")
        self.audio, self._decoded = audio, None

    def _tile_span(self, settings: SpectrogramSettings, level: int, index: int) -> tuple[int, int]:
        """Samples [lo, hi) that tile ``index`` of ``level`` depends on (its columns' frames and their margin)."""
        hop = BASE_HOP << level
        margin = self._analyser(settings).margin + hop
        return index * TILE_COLS * hop - margin, (index + 1) * TILE_COLS * hop + margin

    # ---------------------------------------------------------------- public API
    def render(self, settings: SpectrogramSettings, t0: float, t1: float, width_px: int,
               channel: int | None = None, cancelled: Callable[[], bool] = lambda: False,
               on_partial: Callable[[SpectrogramImage], None] | None = None,
               partial_every: float = 0.25) -> SpectrogramImage:
        """``width_px`` columns covering [t0, t1] seconds clamped to the file; column i is the max (in dB) of
        the level columns centred inside pixel i, or the nearest one when zoomed in past the finest level.
        Raises JobCancelled when ``cancelled()`` turns true (checked between tiles and CQT octaves).
        ``on_partial(image)``: called every ``partial_every`` s while tiles are still being computed, with the
        tiles done so far (the others at the floor, ``image.complete`` False); the return value is complete."""
        width = max(1, int(width_px))
        self._check_channel(channel)
        freqs = row_frequencies(self.sr, settings)
        dur = self.n / self.sr
        a, b = min(max(float(t0), 0.0), dur), min(max(float(t1), 0.0), dur)
        dt = (b - a) / width
        times = a + (np.arange(width) + 0.5) * dt
        if b <= a or self.n == 0:
            db = np.full((len(freqs), width), DB_FLOOR, dtype=np.float32)
            return SpectrogramImage(settings.kind, times, freqs, db, a, b)
        level = self.level_for(dt * self.sr)
        hop = BASE_HOP << level
        off = self.column_offset(settings, level)
        edges = np.ceil(((a + np.arange(width + 1) * dt) * self.sr - off) / hop).astype(np.int64)
        nearest = np.rint((times * self.sr - off) / hop).astype(np.int64)
        j0 = int(min(edges[0], nearest.min()))
        j1 = int(max(edges[-1] - 1, nearest.max()))

        def image(block: np.ndarray, complete: bool = True) -> SpectrogramImage:
            pooled = _pool_columns(block, edges[:-1] - j0, edges[1:] - j0, nearest - j0)
            return SpectrogramImage(settings.kind, times, freqs, np.ascontiguousarray(pooled, np.float32), a, b,
                                    complete=complete)

        partial = None
        if on_partial is not None:
            partial = (lambda blk: on_partial(image(blk, complete=False)), float(partial_every))
        frontier = self.decoding_frontier()
        self._render_state.frontier = frontier  # this render draws what was decoded when it began
        try:
            columns = self._columns(settings, channel, level, j0, j1, cancelled, partial)
        finally:
            del self._render_state.frontier
        return image(columns, complete=frontier is None)

    def overview(self, width_px: int) -> tuple[np.ndarray, np.ndarray]:
        """(mins, maxs), each (width_px,) float32: the waveform envelope over all channels of the whole file,
        pixel i covering samples [i*n/width, (i+1)*n/width). Cached per width. Stacked, it is (2, width_px)."""
        width = max(1, int(width_px))
        with self._lock:
            hit = self._overviews.get(width)
        if hit is not None:
            return hit
        if self.n == 0:
            env = (np.zeros(width, np.float32), np.zeros(width, np.float32))
        else:
            starts = (np.arange(width, dtype=np.int64) * self.n) // width
            s = self.audio.samples
            env = (np.minimum.reduceat(s, starts, axis=1).min(axis=0).astype(np.float32),
                   np.maximum.reduceat(s, starts, axis=1).max(axis=0).astype(np.float32))
        with self._lock:
            self._overviews[width] = env
        return env

    def step_level(self, settings: SpectrogramSettings) -> int:
        """Finest summary-free level: its hop is half the STFT frame, or settings.hop but at most half the
        CQT's shortest filter, rounded down to BASE_HOP * 2**L. Consecutive frames then overlap by half or
        more, so no sample goes unseen (a Hann frame weighs every sample >= 0.5 in one of them: a click shows
        within 6 dB of its peak). Every coarser level max-pools the frames of this one; finer levels are the
        frames at their own hop. Half-frame steps halve the work of a whole-file view against hop n_fft / 4."""
        if settings.kind == "cqt":
            f = cqt_frequencies(self.sr, settings)
            limit = (self.sr / f[-1]) / cqt_alpha(settings.bins_per_octave) / 2 if len(f) else settings.hop
            step = min(settings.hop, limit)
        else:
            step = settings.n_fft / 2
        return max(0, min(MAX_LEVEL, int(math.floor(math.log2(max(step, BASE_HOP) / BASE_HOP)))))

    def column_offset(self, settings: SpectrogramSettings, level: int) -> float:
        """Samples from j * hop to the centre of what column j of ``level`` covers: 0 up to the step level,
        above it half the span of the step frames pooled into the column."""
        ls = self.step_level(settings)
        return 0.0 if level <= ls else ((BASE_HOP << level) - (BASE_HOP << ls)) / 2.0

    @staticmethod
    def level_for(samples_per_pixel: float) -> int:
        """Coarsest level whose hop is at most ``samples_per_pixel`` (0 when zoomed in further)."""
        if samples_per_pixel <= BASE_HOP:
            return 0
        return min(MAX_LEVEL, int(math.floor(math.log2(samples_per_pixel / BASE_HOP))))

    # ---------------------------------------------------------------- tiles
    def _check_channel(self, channel: int | None) -> None:
        if channel is not None and not (0 <= int(channel) < self.audio.channels):
            raise InvalidParameterError(f"channel {channel} does not exist (the file has {self.audio.channels})")

    def _analyser(self, settings: SpectrogramSettings):
        from .features.columns import ColumnAnalyser  # (mel, CQT and GPUs load torch here, in the worker)

        key = settings.analysis_key()
        with self._lock:
            an = self._analysers.get(key)
            if an is None:
                an = self._analysers[key] = ColumnAnalyser(self.sr, settings, self.device)
            return an

    def _key(self, settings: SpectrogramSettings) -> tuple:
        return settings.analysis_key() + (BASE_HOP << self.step_level(settings),)

    def _columns(self, settings, channel, level, j0: int, j1: int, cancelled, partial=None) -> np.ndarray:
        """Level columns j0..j1 (inclusive) assembled from tiles, (rows, j1 - j0 + 1). ``partial``:
        (callback(block), seconds): while tiles are computed, the block of those done so far every so often."""
        indices = list(range(j0 // TILE_COLS, j1 // TILE_COLS + 1))
        off = j0 - (j0 // TILE_COLS) * TILE_COLS
        key = self._key(settings)
        missing = [t for t in indices if self._mem.get((key, channel, level, t)) is None]
        # While the file decodes, tiles are made on the calling thread only: the decoder keeps a core.
        decoding = self.decoding_frontier() is not None
        if missing and not decoding and (partial is not None or (len(missing) > 1 and _workers() > 1)):
            # new tiles in worker threads (numpy and torch release the GIL), nearest the middle first
            mid = (indices[0] + indices[-1]) / 2
            missing.sort(key=lambda t: abs(t - mid))
            futures = [_pool().submit(self.tile, settings, channel, level, t, cancelled) for t in missing]
            try:
                pending = set(futures)
                while pending:
                    timeout = partial[1] if partial is not None else None
                    done, pending = wait(pending, timeout=timeout, return_when=FIRST_EXCEPTION)
                    for f in done:
                        f.result()  # re-raises JobCancelled or a compute error
                    if pending and partial is not None:
                        partial[0](self._assemble(key, channel, level, indices, off, j1 - j0 + 1, settings))
            finally:
                for f in futures:
                    f.cancel()
        tiles, shown = [], -math.inf  # while decoding: the first tile's image at once, then every partial[1] s
        for t in indices:
            tiles.append(self.tile(settings, channel, level, t, cancelled))
            if decoding and partial is not None and len(tiles) < len(indices) \
                    and time.monotonic() - shown >= partial[1]:  # the decoded part, left to right
                shown = time.monotonic()
                floor = _floor_tile(tiles[0].shape[0])
                partial[0](np.concatenate(tiles + [floor] * (len(indices) - len(tiles)), axis=1)[
                    :, off:off + (j1 - j0 + 1)])
        block = tiles[0] if len(tiles) == 1 else np.concatenate(tiles, axis=1)
        return block[:, off:off + (j1 - j0 + 1)]

    def _assemble(self, key, channel, level, indices, off: int, n: int, settings) -> np.ndarray:
        """The columns of the tiles already in memory, DB_FLOOR where a tile is not done yet."""
        rows = len(row_frequencies(self.sr, settings))
        tiles = [self._mem.get((key, channel, level, t)) for t in indices]
        tiles = [t if t is not None else np.full((rows, TILE_COLS), DB_FLOOR, np.float32) for t in tiles]
        return np.concatenate(tiles, axis=1)[:, off:off + n]

    def _compute(self, settings, channel, centres: np.ndarray, cancelled, pool: int = 1) -> np.ndarray:
        src = _Source(self.audio.samples, channel)
        return self._analyser(settings).columns(src.read, src.gather, centres, cancelled, pool=pool)

    def _summary_tile(self, settings, channel, level: int, index: int, cancelled) -> np.ndarray:
        """A tile above the step level: the max of every step-level frame under each column. Close to the step
        level it is pooled straight from the frames (before dB); higher up, from the two finer tiles."""
        q = level - self.step_level(settings)
        if q > DIRECT_POOL:
            a = self.tile(settings, channel, level - 1, 2 * index, cancelled)
            b = self.tile(settings, channel, level - 1, 2 * index + 1, cancelled)
            self.stats["derived"] += 1
            return np.maximum(np.concatenate([a[:, 0::2], b[:, 0::2]], axis=1),
                              np.concatenate([a[:, 1::2], b[:, 1::2]], axis=1))
        m = 1 << q
        step = BASE_HOP << (level - q)
        centres = (index * TILE_COLS * m + np.arange(TILE_COLS * m, dtype=np.int64)) * step
        self.stats["computed"] += 1
        return self._compute(settings, channel, centres, cancelled, pool=m)

    def _from_neighbour_levels(self, akey, channel, level: int, index: int, step_level: int):
        """(array, columns still to compute) from cached neighbouring levels: up to the step level, level L+1
        column j is level L column 2j (same centre, same frame). Both finer tiles cached: their even columns,
        nothing to compute. The coarser tile cached (not a summary): it gives the even columns, the odd ones
        remain. Neither: (None, None)."""
        if level > 0:
            a = self._mem.get((akey, channel, level - 1, 2 * index))
            b = self._mem.get((akey, channel, level - 1, 2 * index + 1))
            if a is not None and b is not None:
                return np.concatenate([a[:, ::2], b[:, ::2]], axis=1), np.zeros(TILE_COLS, bool)
        if level < step_level:
            c = self._mem.get((akey, channel, level + 1, index // 2))
            if c is not None:
                half = TILE_COLS // 2
                out = np.empty((c.shape[0], TILE_COLS), dtype=np.float32)
                out[:, ::2] = c[:, (index % 2) * half:(index % 2) * half + half]
                todo = np.zeros(TILE_COLS, bool)
                todo[1::2] = True
                return out, todo
        return None, None

    def tile(self, settings: SpectrogramSettings, channel: int | None, level: int, index: int,
             cancelled: Callable[[], bool] = lambda: False) -> np.ndarray:
        """dB columns index*TILE_COLS .. +TILE_COLS-1 of ``level`` (rows, TILE_COLS): memory, disk, or computed."""
        akey = self._key(settings)
        key = (akey, channel, level, index)
        arr = self._mem.get(key)
        if arr is not None:
            self.stats["memory_hits"] += 1
            return arr
        if cancelled():
            raise JobCancelled()
        frontier = self.decoding_frontier()
        if frontier is not None:  # the file is still decoding: nothing is stored that the rest could change
            lo, hi = self._tile_span(settings, level, index)
            if hi > frontier:
                if lo >= frontier:  # not decoded at all yet: silence, as the zero-filled samples would give
                    return _floor_tile(len(row_frequencies(self.sr, settings)))
                return self._fresh_tile(settings, channel, level, index, cancelled)
        folder = DiskTiles.analysis_folder((akey, channel, BASE_HOP, TILE_COLS, self.sr, PYRAMID_VERSION))
        use_disk = self._disk is not None and level >= self.disk_min_level
        if use_disk:
            arr = self._disk.load(folder, level, index)
            if arr is not None and arr.shape[1] == TILE_COLS:
                self.stats["disk_hits"] += 1
                self._mem.put(key, arr)
                return arr
        arr = self._fresh_tile(settings, channel, level, index, cancelled, akey)
        arr.setflags(write=False)
        self._mem.put(key, arr)
        if use_disk:
            if not self._pruned:  # once per provider, in the worker thread
                self._pruned = True
                self._disk.prune(DISK_MAX_BYTES)
            self._disk.save(folder, level, index, arr)
        return arr

    def _fresh_tile(self, settings, channel, level: int, index: int, cancelled, akey=None) -> np.ndarray:
        """Compute a tile (from its finer or coarser neighbours in memory where possible); stores nothing."""
        akey = akey if akey is not None else self._key(settings)
        ls = self.step_level(settings)
        arr, todo = (None, None) if level > ls else self._from_neighbour_levels(akey, channel, level, index, ls)
        if level > ls:
            arr = self._summary_tile(settings, channel, level, index, cancelled)
        elif todo is None or todo.any():
            centres = (index * TILE_COLS + np.arange(TILE_COLS, dtype=np.int64)) * (BASE_HOP << level)
            if arr is None:
                arr = self._compute(settings, channel, centres, cancelled)
            else:  # even columns came from the coarser level: compute the odd ones
                arr[:, todo] = self._compute(settings, channel, centres[todo], cancelled)
            self.stats["computed"] += 1
        else:
            self.stats["derived"] += 1
        return arr


_POOL = None
_POOL_LOCK = threading.Lock()
_LIVE = object()  # no render-time snapshot of the decoding frontier on this thread


@lru_cache(maxsize=8)
def _floor_tile(rows: int) -> np.ndarray:
    """One shared read-only tile of silence per row count (the part of a file not decoded yet)."""
    arr = np.full((rows, TILE_COLS), DB_FLOOR, np.float32)
    arr.setflags(write=False)
    return arr


def _workers() -> int:
    return max(1, min(4, (os.cpu_count() or 1)))


def _pool() -> ThreadPoolExecutor:
    """Shared worker threads for tile computation (daemon-like: idle threads cost nothing)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:  # tiles run side by side, each on single-threaded kernels (no oversubscription)
            from .features.blocks import single_threaded_kernels

            _POOL = ThreadPoolExecutor(max_workers=_workers(), thread_name_prefix="spectrogram-tile",
                                       initializer=single_threaded_kernels)
        return _POOL


def _pool_columns(block: np.ndarray, lo: np.ndarray, hi: np.ndarray, nearest: np.ndarray) -> np.ndarray:
    """Max over block columns lo[i]..hi[i]-1 for each output column i, the ``nearest`` column where empty."""
    count = hi - lo
    if count.max() <= 2:  # the usual case: the level has 1 to 2 columns per pixel
        first = np.where(count > 0, lo, nearest)
        last = np.where(count > 0, hi - 1, nearest)
        return np.maximum(block[:, first], block[:, last])
    pooled = np.maximum.reduceat(block.T, np.clip(lo, 0, block.shape[1] - 1), axis=0).T
    empty = count <= 0
    if empty.any():
        pooled[:, empty] = block[:, nearest[empty]]
    return pooled


def _file_identity(audio: AudioBuffer, contents: bool = True) -> str:
    """Stable id of the audio content: path + size + mtime when it came from a file, plus a content sample
    (``contents``; a file still decoding has none yet, and is exactly its file)."""
    h = hashlib.sha1()
    h.update(repr((audio.sample_rate, audio.samples.shape)).encode())
    src = Path(audio.source) if audio.source is not None else None
    if src is not None and src.exists():
        st = src.stat()
        h.update(repr((str(src.resolve()), st.st_size, st.st_mtime_ns)).encode())
    s = audio.samples
    if not contents and src is not None:
        h.update(b"decoded-file")
    elif s.shape[1]:
        idx = np.linspace(0, s.shape[1] - 1, num=min(s.shape[1], 65536)).astype(np.int64)
        h.update(np.ascontiguousarray(s[:, idx]).tobytes())
        h.update(np.ascontiguousarray(s[:, :4096]).tobytes())
        h.update(np.ascontiguousarray(s[:, -4096:]).tobytes())
    return h.hexdigest()[:20]
