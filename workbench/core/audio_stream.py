"""Streaming decode: a file read block by block into one float32 array, with a running preview of what is
decoded so far, so the window shows the file's length and waveform at once instead of after the whole decode.

``stream_load(path, on_preview)`` gives the same AudioBuffer as :func:`workbench.core.audio_io.load_audio`.
Plain WAV (16/24/32-bit PCM, 32-bit float) is read as raw bytes and converted block by block with numpy (no
per-sample library calls, no full-size temporaries: peak memory is the float32 result plus one block); other
formats libsndfile knows (MP3, FLAC, Ogg...) are read in blocks through soundfile, in segments decoded side by
side on several cores (see _decode_segments). Previews carry the array being filled, so a window can draw the
decoded part while the rest decodes. Anything unusual (a truncated or damaged file,
NaN samples, containers only FFmpeg opens) goes to ``load_audio``, which owns the error messages and warnings.
The preview envelope is honest: bin i holds the min and max of EVERY decoded sample in it (zeros until then).
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import soundfile as sf

from .audio import AudioBuffer
from .audio_io import load_audio

PREVIEW_BINS = 4096  # envelope resolution of the preview (the overview is a few hundred to 2000 px wide)
BLOCK_FRAMES = 1 << 19  # frames per block: ~12 s at 44.1 kHz, a few MB (few hand-overs of the interpreter lock
# to the drawing threads: each costs the decoder up to a switch interval)
MAX_DECODE_THREADS = 4  # compressed files: segments decoded side by side
SEGMENT_MIN_FRAMES = 1 << 22  # ~95 s at 44.1 kHz: shorter files decode in one pass
SEAM_CHECK = 4096  # frames decoded twice at each segment seam, to prove the seek exact
_RAW_SUBTYPES = {"PCM_16": ("<i2", 2), "PCM_24": (None, 3), "PCM_32": ("<i4", 4), "FLOAT": ("<f4", 4)}


@dataclass(frozen=True)
class DecodePreview:
    """What is known while a file decodes: its format and the min/max envelope of the decoded part."""

    path: Path
    sample_rate: int
    channels: int
    total_frames: int
    decoded_frames: int
    envelope: np.ndarray  # (2, PREVIEW_BINS) float32: mins, maxs over all channels of each bin's samples
    # The (channels, total_frames) array being filled (read-only view; frames >= decoded_frames are zeros or
    # being written): a window may analyse the decoded part while the rest decodes. None for other decoders.
    samples: np.ndarray | None = None

    @property
    def duration(self) -> float:
        return self.total_frames / self.sample_rate

    @property
    def fraction(self) -> float:
        return self.decoded_frames / self.total_frames if self.total_frames else 1.0


class _Envelope:
    """Min/max of every sample per bin of a file of ``total`` frames, filled block by block."""

    def __init__(self, total: int, bins: int = PREVIEW_BINS):
        self.total, self.bins = max(1, total), bins
        self.env = np.zeros((2, bins), np.float32)

    def add(self, block: np.ndarray, start: int) -> None:
        """``block``: (channels, m) float32 samples starting at frame ``start``."""
        m = block.shape[1]
        if m == 0:
            return
        first = start * self.bins // self.total
        last = min(self.bins - 1, (start + m - 1) * self.bins // self.total)
        bins = np.arange(first, last + 1)
        cuts = np.maximum(0, -(-bins * self.total // self.bins) - start)  # first frame of each bin, in the block
        cuts[0] = 0
        lo = np.minimum.reduceat(block, cuts, axis=1).min(axis=0)
        hi = np.maximum.reduceat(block, cuts, axis=1).max(axis=0)
        # a bin split across two blocks keeps the extremes of both
        self.env[0, first:last + 1] = np.minimum(self.env[0, first:last + 1], lo)
        self.env[1, first:last + 1] = np.maximum(self.env[1, first:last + 1], hi)


def stream_load(path, on_preview: Callable[[DecodePreview], None] | None = None,
                every: float = 0.1) -> AudioBuffer:
    """Decode ``path`` block by block; ``on_preview`` gets a DecodePreview at the start, then at most every
    ``every`` s, and at the end. Same result and errors as load_audio."""
    path = Path(path)
    try:
        info = sf.info(str(path))
        ok = info.frames > 0 and 0 < info.channels <= 64 and 1000 <= info.samplerate <= 768000
    except Exception:
        ok = False
    if not ok:
        return load_audio(path)  # its messages name what is wrong
    try:
        raw = _raw_wav_layout(path, info) if info.format == "WAV" else None
        samples = _decode(path, info, raw, on_preview, every)
    except _Irregular:
        samples = None
    if samples is None:
        return load_audio(path)
    return AudioBuffer.adopt(samples, int(info.samplerate), source=path)


class _Irregular(Exception):
    """The file needs load_audio's care (truncated, damaged, non-finite samples)."""


def _decode(path: Path, info, raw, on_preview, every: float) -> np.ndarray | None:
    ch, total, rate = int(info.channels), int(info.frames), int(info.samplerate)
    samples = np.zeros((ch, total), np.float32)  # zeros (lazily mapped pages): undecoded frames read as silence
    shared = samples.view()
    shared.setflags(write=False)
    env = _Envelope(total)
    last = [0.0]

    def report(done: int, force: bool = False) -> None:
        now = time.monotonic()
        if on_preview is not None and (force or now - last[0] >= every):
            last[0] = now
            on_preview(DecodePreview(path, rate, ch, total, done, env.env.copy(), shared))

    report(0, force=True)
    got = 0
    if raw is not None:
        offset, dtype, width = raw
        with open(path, "rb") as f:
            f.seek(offset)
            buf = bytearray(BLOCK_FRAMES * ch * width)
            while got < total:
                m = min(BLOCK_FRAMES, total - got)
                n = f.readinto(memoryview(buf)[: m * ch * width])
                if n != m * ch * width:
                    raise _Irregular()
                block = samples[:, got:got + m]
                _convert(np.frombuffer(buf, np.uint8, n), dtype, width, ch, block)
                got = _block_done(block, got, env, report, check=info.subtype == "FLOAT")
    else:
        got = _decode_segments(path, total, ch, samples, env, report)
    if got != total:
        raise _Irregular()
    report(total, force=True)
    return samples


def _decode_segments(path: Path, total: int, ch: int, samples: np.ndarray, env: _Envelope, report,
                     workers: int | None = None, reported: int = 0) -> int:
    """Formats libsndfile decodes (MP3, FLAC, Ogg...): up to MAX_DECODE_THREADS segments decoded side by side,
    each by its own handle from a seek (the C decoder releases the GIL). Each later segment first decodes the
    SEAM_CHECK frames before its start, which must match what its neighbour wrote there (see _same_seam);
    otherwise the file is decoded again in one pass. Previews report
    the prefix that is final: segment i counts once segment i-1 is complete and seam i is proven exact.
    Returns frames decoded."""
    if workers is None:
        workers = max(1, min(MAX_DECODE_THREADS, os.cpu_count() or 1, total // SEGMENT_MIN_FRAMES))
    bounds = [total * i // workers for i in range(workers + 1)]
    done, seams, exact = [0] * workers, [None] * workers, [True] + [None] * (workers - 1)
    lock = threading.Lock()

    def prefix() -> int:  # under the lock
        n = 0
        for i in range(workers):
            if exact[i] is None:
                if seams[i] is None:
                    break
                exact[i] = _same_seam(seams[i], samples[:, bounds[i] - seams[i].shape[1]:bounds[i]])
            if not exact[i]:
                break
            n += done[i]
            if done[i] < bounds[i + 1] - bounds[i]:
                break
        return n

    def run(i: int) -> None:
        a, b = bounds[i], bounds[i + 1]
        try:
            with sf.SoundFile(str(path)) as f:
                if i:
                    k = min(SEAM_CHECK, a)
                    f.seek(a - k)
                    seam = f.read(k, dtype="float32", always_2d=True).T.copy()
                    with lock:
                        seams[i] = seam
                buf = np.empty((BLOCK_FRAMES, ch), np.float32)
                pos = a
                while pos < b:
                    data = f.read(dtype="float32", always_2d=True, out=buf[:min(BLOCK_FRAMES, b - pos)])
                    m = data.shape[0]
                    if m == 0:
                        raise _Irregular()  # fewer frames than announced
                    block = samples[:, pos:pos + m]
                    block[...] = data.T
                    if not np.isfinite(block).all():
                        raise _Irregular()  # load_audio replaces them and says so
                    with lock:
                        env.add(block, pos)
                        first = i == 0 and done[0] == 0
                        done[i] += m
                        n = prefix()
                        if n > reported:
                            report(n, force=first)  # the first block at once: the window can draw it
                    pos += m
        except _Irregular:
            raise
        except Exception as exc:
            raise _Irregular() from exc

    if workers == 1:
        run(0)
    else:
        with ThreadPoolExecutor(workers, thread_name_prefix="decode") as pool:
            for f in [pool.submit(run, i) for i in range(workers)]:
                f.result()
    with lock:
        n = prefix()
    if n < total:  # a seam that was not exact: one pass from the start, reporting only past what was shown
        return _decode_segments(path, total, ch, samples, env, report, workers=1, reported=n)
    return n


def _same_seam(again: np.ndarray, first: np.ndarray) -> bool:
    """The frames before a seam, decoded after a seek, match the neighbour's: equal within a few float steps
    (libsndfile's MP3 output depends on read sizes by one step), and loud enough (> -60 dB) that a seek landing
    a few frames off could not look the same."""
    return (again.shape == first.shape and again.size > 0 and float(np.max(np.abs(first))) > 1e-3
            and float(np.max(np.abs(again - first))) <= 1e-6)


def _block_done(block: np.ndarray, got: int, env: _Envelope, report, check: bool = True) -> int:
    if check and not np.isfinite(block).all():  # (integer PCM cannot hold NaN or inf: no need to look)
        raise _Irregular()  # load_audio replaces them and says so
    env.add(block, got)
    first = got == 0
    got += block.shape[1]
    report(got, force=first)  # the first block at once: the window can draw it while the rest decodes
    return got


def _convert(data: np.ndarray, dtype: str | None, width: int, ch: int, out: np.ndarray) -> None:
    """Little-endian interleaved frames (bytes) -> float32 (channels, m) in ``out``, scaled to [-1, 1)."""
    if dtype is None:  # 24-bit: assemble int32 from three bytes (sign from the top byte)
        b = data.reshape(-1, 3).astype(np.uint32)
        v = ((b[:, 0] << 8) | (b[:, 1] << 16) | (b[:, 2] << 24)).view(np.int32)
        frames, scale = v.reshape(-1, ch), 1.0 / 2**31
    else:
        frames = data.view(dtype).reshape(-1, ch)
        scale = {2: 1.0 / 2**15, 4: 1.0 / 2**31}[width] if dtype[1] == "i" else 1.0
    np.multiply(frames.T, np.float32(scale), out=out, casting="unsafe")  # one pass over all channels


def _raw_wav_layout(path: Path, info) -> tuple[int, str | None, int] | None:
    """(data offset, numpy dtype, bytes per sample) of a plain RIFF/WAVE file whose data chunk holds exactly
    info.frames frames of a supported PCM/float layout; None for other layouts (WAVE_FORMAT_EXTENSIBLE...).
    Raises _Irregular when the header announces more data than there is (a truncated file)."""
    dtype, width = _RAW_SUBTYPES.get(info.subtype, (None, 0))
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            fmt_ok, block_align = False, 0
            while True:
                chunk = f.read(8)
                if len(chunk) < 8:
                    return None
                cid, size = chunk[:4], int.from_bytes(chunk[4:], "little")
                if cid == b"fmt ":
                    fmt = f.read(size + (size % 2))
                    tag = int.from_bytes(fmt[0:2], "little")
                    channels = int.from_bytes(fmt[2:4], "little")
                    bits = int.from_bytes(fmt[14:16], "little")
                    block_align = int.from_bytes(fmt[12:14], "little")
                    fmt_ok = width and tag in (1, 3) and channels == info.channels and bits == 8 * width
                elif cid == b"data":
                    if size not in (0, 0xFFFFFFFF) and block_align and size // block_align > info.frames:
                        raise _Irregular()  # truncated: load_audio says so
                    if not fmt_ok or size != info.frames * info.channels * width:
                        return None
                    return f.tell(), dtype, width
                else:
                    f.seek(size + (size % 2), 1)
    except OSError:
        return None
