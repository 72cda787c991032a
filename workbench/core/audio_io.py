"""Reading and writing audio files into :class:`AudioBuffer`, with clear errors for bad input.

soundfile (libsndfile) reads WAV/FLAC/OGG/MP3/AIFF; other containers (m4a, mp4, opus, webm...) go
through PyAV's FFmpeg decoders. Every failure becomes an :class:`AudioLoadError` naming the file and
the reason; recoverable problems (NaN samples, a truncated file) load with a warning instead.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
from pathlib import Path

import numpy as np
import soundfile as sf

from .audio import AudioBuffer
from .errors import AudioLoadError, WorkbenchError

log = logging.getLogger(__name__)

MIN_SAMPLE_RATE = 1_000
MAX_SAMPLE_RATE = 768_000
MAX_CHANNELS = 64
SOUNDFILE_EXTENSIONS = {".wav", ".wave", ".flac", ".ogg", ".oga", ".mp3", ".aif", ".aiff", ".aifc", ".au", ".caf", ".w64", ".rf64"}
AUDIO_EXTENSIONS = SOUNDFILE_EXTENSIONS | {".m4a", ".mp4", ".aac", ".opus", ".webm", ".mkv", ".wma", ".mov"}
SAVE_FORMATS = {".wav": ("WAV", "FLOAT"), ".flac": ("FLAC", "PCM_24"), ".ogg": ("OGG", "VORBIS")}


def load_audio(path: str | os.PathLike) -> AudioBuffer:
    """Load an audio file as float32 (channels, samples) at its own sample rate.

    Raises :class:`AudioLoadError` with a readable reason for anything that is not usable audio.
    """
    path = Path(path)
    if not path.exists():
        raise AudioLoadError(path, "the file does not exist")
    if path.is_dir():
        raise AudioLoadError(path, "this is a folder, not an audio file")
    try:
        st = path.stat()
    except OSError as exc:
        raise AudioLoadError(path, f"the file cannot be read ({exc.strerror})") from exc
    if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or read forever; it is not "empty"
        kind = "a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else "a device or socket"
        raise AudioLoadError(path, f"this is {kind}, not a regular file; save the audio to a file first")
    size = st.st_size
    if size == 0:
        raise AudioLoadError(path, "the file is empty (0 bytes)")

    warnings: list[str] = []
    try:
        samples, rate = _read_with_soundfile(path, warnings)
    except _NotSoundfile as sf_exc:
        samples, rate = _read_with_pyav(path, sf_exc.reason)
    _check_shape_and_rate(path, samples, rate)
    samples = _sanitise(samples, warnings)
    for w in warnings:
        log.warning("%s: %s", path, w)
    # The decoded array is ours alone: no defensive copy of (possibly) an hour of audio.
    return AudioBuffer.adopt(samples, rate, source=path, warnings=tuple(warnings))


class _NotSoundfile(Exception):
    def __init__(self, reason: str):
        self.reason = reason


def _read_with_soundfile(path: Path, warnings: list[str]) -> tuple[np.ndarray, int]:
    try:
        info = sf.info(str(path))
    except Exception as exc:  # libsndfile's messages vary by format; keep the gist
        raise _NotSoundfile(_libsndfile_reason(exc)) from exc
    rate = int(info.samplerate)
    _check_rate_and_channels(path, rate, info.channels)
    declared = _declared_wav_frames(path)
    # Decode straight into one (channels, frames) array: no per-block copies and no final concatenate, which
    # matters for hour-long files (seconds and twice the memory otherwise). Grows if the header under-reports.
    # The header is not trusted beyond what the file's size makes plausible (a 21 KB FLAC may claim 2^36
    # samples: 256 GiB): at most 4 frames per byte per channel are allocated up front, more only as decoded.
    plausible = max(1 << 16, path.stat().st_size * 4 // max(1, info.channels))
    samples = np.empty((info.channels, min(max(int(info.frames), 0), plausible)), np.float32)
    got = 0
    try:
        with sf.SoundFile(str(path)) as f:
            # big blocks: each one re-takes the GIL, which a busy GUI thread makes slow to get
            buf = np.empty((1 << 20, info.channels), np.float32)
            while True:
                block = f.read(out=buf, dtype="float32", always_2d=True)
                m = block.shape[0]
                if m == 0:
                    break
                if got + m > samples.shape[1]:
                    samples = np.concatenate([samples[:, :got], np.empty((info.channels, max(m, got)), np.float32)],
                                             axis=1)
                samples[:, got:got + m] = block.T
                got += m
    except Exception as exc:
        # A big block that hits damage (a truncated FLAC) yields nothing: decode again in small blocks to keep
        # everything before the damage, as for a truncated WAV.
        salvaged = _read_small_blocks(path, info.channels)
        if salvaged.shape[1] > got:
            samples, got = salvaged, salvaged.shape[1]
        if not got:
            raise AudioLoadError(path, f"the audio data is corrupt ({_libsndfile_reason(exc)})") from exc
        warnings.append(f"the file is damaged or truncated after {got / rate:.2f} s; loaded what could be decoded")
    samples = samples[:, :got] if got < samples.shape[1] else samples
    if declared is not None and declared > got:
        warnings.append(
            f"the file is truncated: its header announces {declared / rate:.2f} s, "
            f"only {got / rate:.2f} s are present; loaded what is there"
        )
    return samples, rate


def _read_small_blocks(path: Path, channels: int, block: int = 4096) -> np.ndarray:
    """Every frame decodable before the first error, read in small blocks."""
    parts: list[np.ndarray] = []
    try:
        with sf.SoundFile(str(path)) as f:
            while len(b := f.read(block, dtype="float32", always_2d=True)):
                parts.append(b.T.copy())
    except Exception:
        pass
    return np.concatenate(parts, axis=1) if parts else np.zeros((channels, 0), np.float32)


def _read_with_pyav(path: Path, soundfile_reason: str) -> tuple[np.ndarray, int]:
    try:
        import av
    except ImportError as exc:  # pragma: no cover - av ships with the workbench
        raise AudioLoadError(path, f"unsupported format ({soundfile_reason})") from exc
    try:
        container = av.open(str(path))
    except Exception as exc:
        raise AudioLoadError(path, _unsupported_reason(path, soundfile_reason)) from exc
    with container:
        streams = container.streams.audio
        if not streams:
            raise AudioLoadError(path, "the file has no audio stream")
        stream = streams[0]
        rate = int(stream.rate or stream.codec_context.sample_rate or 0)
        channels = int(stream.codec_context.channels or 0)
        if rate:
            _check_rate_and_channels(path, rate, channels or 1)
        chunks = []
        try:
            for frame in container.decode(stream):
                arr = frame.to_ndarray()
                if frame.format.is_planar:
                    arr = arr.reshape(len(frame.layout.channels), -1)
                else:
                    arr = arr.reshape(-1, len(frame.layout.channels)).T
                chunks.append(_pcm_to_float(arr))
                rate = rate or int(frame.sample_rate)
        except Exception as exc:
            if not chunks:
                raise AudioLoadError(path, f"the audio data cannot be decoded ({exc})") from exc
            log.warning("%s: decoding stopped early (%s)", path, exc)
    if not chunks:  # FFmpeg guessed a format but decoded nothing: for a file libsndfile knows, it is not one
        raise AudioLoadError(path, _unsupported_reason(path, soundfile_reason)
                             if path.suffix.lower() in SOUNDFILE_EXTENSIONS
                             else "the file contains no audio samples (zero length)")
    return np.concatenate(chunks, axis=1), rate


def _pcm_to_float(arr: np.ndarray) -> np.ndarray:
    if np.issubdtype(arr.dtype, np.floating):
        return arr.astype(np.float32)
    info = np.iinfo(arr.dtype)
    if info.min == 0:  # unsigned 8-bit
        return ((arr.astype(np.float32) - 128.0) / 128.0).astype(np.float32)
    return (arr.astype(np.float32) / float(-info.min)).astype(np.float32)


def _check_rate_and_channels(path: Path, rate: int, channels: int) -> None:
    if not MIN_SAMPLE_RATE <= rate <= MAX_SAMPLE_RATE:
        raise AudioLoadError(
            path, f"its sample rate of {rate} Hz is outside the supported {MIN_SAMPLE_RATE}-{MAX_SAMPLE_RATE} Hz"
        )
    if channels < 1:
        raise AudioLoadError(path, "the file declares no audio channels")
    if channels > MAX_CHANNELS:
        raise AudioLoadError(path, f"it has {channels} channels; at most {MAX_CHANNELS} are supported")


def _check_shape_and_rate(path: Path, samples: np.ndarray, rate: int) -> None:
    _check_rate_and_channels(path, rate, samples.shape[0])
    if samples.shape[1] == 0:
        raise AudioLoadError(path, "the file contains no audio samples (zero length)")


def _sanitise(samples: np.ndarray, warnings: list[str]) -> np.ndarray:
    step = 1 << 20  # check in slices: one (channels, samples) bool temporary costs ~1 s on an hour of audio
    if all(np.isfinite(samples[:, a:a + step]).all() for a in range(0, samples.shape[1], step)):
        return samples
    bad = ~np.isfinite(samples)
    if bad.any():
        count = int(bad.sum())
        samples = np.where(bad, 0.0, samples).astype(np.float32)
        warnings.append(f"{count} NaN/Inf sample(s) were replaced by silence")
    return samples


def _declared_wav_frames(path: Path) -> int | None:
    """Frames announced by a RIFF/WAVE header, to detect truncated files (None if not plain WAV)."""
    try:
        with open(path, "rb") as f:
            head = f.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return None
            block_align = None
            while True:
                chunk = f.read(8)
                if len(chunk) < 8:
                    return None
                cid, csize = chunk[:4], int.from_bytes(chunk[4:], "little")
                if cid == b"fmt ":
                    fmt = f.read(csize)
                    block_align = int.from_bytes(fmt[12:14], "little")
                    if csize % 2:
                        f.read(1)
                elif cid == b"data":
                    if not block_align or csize in (0, 0xFFFFFFFF):
                        return None
                    return csize // block_align
                else:
                    f.seek(csize + (csize % 2), os.SEEK_CUR)
    except OSError:
        return None


def _libsndfile_reason(exc: Exception) -> str:
    text = str(exc)
    if "Error :" in text:
        text = text.split("Error :", 1)[1]
    if "possibly a pipe" in text or "Format not recognised" in text:
        return "its data is not recognised as audio"  # libsndfile's wording misleads ("does not exist")
    return text.strip().rstrip(".") or type(exc).__name__


def _unsupported_reason(path: Path, soundfile_reason: str) -> str:
    ext = path.suffix.lower()
    if ext in SOUNDFILE_EXTENSIONS:
        return f"this is not a valid {ext[1:].upper()} file or its header is corrupt ({soundfile_reason})"
    return f"unsupported or unrecognised format '{ext or 'no extension'}' ({soundfile_reason})"


def save_audio(buffer: AudioBuffer | np.ndarray, path: str | os.PathLike, sample_rate: int | None = None) -> Path:
    """Write WAV (32-bit float), FLAC (24-bit) or OGG atomically; the format follows the extension."""
    path = Path(path)
    if isinstance(buffer, AudioBuffer):
        samples, rate = buffer.samples, buffer.sample_rate
    else:
        samples, rate = np.atleast_2d(np.asarray(buffer, np.float32)), int(sample_rate or 0)
    ext = path.suffix.lower()
    if ext not in SAVE_FORMATS:
        raise WorkbenchError(f"Cannot save audio as '{ext}': choose one of {', '.join(sorted(SAVE_FORMATS))}")
    fmt, subtype = SAVE_FORMATS[ext]
    data = samples.T
    if subtype != "FLOAT":
        data = np.clip(data, -1.0, 1.0)
    from .export.atomic import WriteError, check_target, os_error_message  # (late: the export package imports this module)

    check_target(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        sf.write(str(tmp), data, rate, format=fmt, subtype=subtype)
        os.replace(tmp, path)
    except OSError as exc:
        raise WriteError(os_error_message(exc, path)) from exc
    except sf.LibsndfileError as exc:  # libsndfile says only "System error." for a full or read-only disk
        raise WriteError(_write_failure(path, exc)) from exc
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _write_failure(path: Path, exc: Exception) -> str:
    """Name the likely cause of a failed audio write, which libsndfile reports only as 'System error'."""
    folder = path.parent
    try:
        if shutil.disk_usage(folder).free < (1 << 20):
            return f"Cannot write '{path}': the disk is full"
    except OSError:
        pass
    if not os.access(folder, os.W_OK):
        return f"Cannot write '{path}': the folder is read-only or not writable"
    reason = _libsndfile_reason(exc)
    if reason.lower().startswith("system error"):  # libsndfile's word for any refused write(): name the usual ones
        reason = "the system refused the write (the disk is full, a quota or a file size limit)"
    return f"Cannot write '{path}': {reason}"
