"""The immutable audio buffer every part of the workbench passes around."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np


def _frozen(samples) -> np.ndarray:
    """A read-only float32 (channels, samples) array that no caller can still write to."""
    if isinstance(samples, _Adopted):
        arr = samples.array
    else:
        arr = np.asarray(samples, dtype=np.float32)
        if isinstance(samples, np.ndarray) and np.shares_memory(arr, samples):
            arr = arr.copy()  # never freeze the caller's own array behind their back
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ValueError(f"audio samples must be (channels, samples), got shape {arr.shape}")
    arr = np.ascontiguousarray(arr)
    arr.setflags(write=False)
    return arr


class _Adopted:
    """Marks an array handed over by its only owner (see :meth:`AudioBuffer.adopt`)."""

    def __init__(self, array: np.ndarray):
        self.array = array


@dataclass(frozen=True, eq=False)
class AudioBuffer:
    """float32 samples of shape (channels, samples) at ``sample_rate`` Hz; read-only once made.

    Derived buffers (mono, resampled, sliced) are new objects; the original is never modified,
    so it can be shared between the GUI thread and worker threads without locks.
    """

    samples: np.ndarray
    sample_rate: int
    source: Path | None = None
    name: str = ""
    warnings: tuple[str, ...] = field(default=())

    def __post_init__(self):
        object.__setattr__(self, "samples", _frozen(self.samples))
        if not (isinstance(self.sample_rate, (int, np.integer)) and self.sample_rate > 0):
            raise ValueError(f"sample rate must be a positive integer, got {self.sample_rate!r}")
        object.__setattr__(self, "sample_rate", int(self.sample_rate))
        if not self.name and self.source is not None:
            object.__setattr__(self, "name", Path(self.source).stem)

    @classmethod
    def adopt(cls, samples: np.ndarray, sample_rate: int, **kwargs) -> "AudioBuffer":
        """Wrap a float32 array nobody else will write to (e.g. freshly decoded) without copying it:
        an hour of stereo audio is 1.2 GB, and a copy costs a second and doubles peak memory."""
        return cls(_Adopted(np.asarray(samples, dtype=np.float32)), sample_rate, **kwargs)

    @property
    def channels(self) -> int:
        return self.samples.shape[0]

    @property
    def num_samples(self) -> int:
        return self.samples.shape[1]

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return self.num_samples / self.sample_rate

    def mono(self, sample_rate: int | None = None) -> "AudioBuffer":
        """Mean of the channels, optionally resampled to ``sample_rate`` Hz."""
        buf = self
        if self.channels != 1:
            buf = self._derive(_Adopted(self.samples.mean(axis=0, keepdims=True, dtype=np.float32)))
        return buf.resample(sample_rate) if sample_rate else buf

    def resample(self, sample_rate: int) -> "AudioBuffer":
        """Band-limited resampling (polyphase) to ``sample_rate`` Hz."""
        from .resample import resample_array

        if sample_rate == self.sample_rate:
            return self
        return self._derive(_Adopted(np.asarray(resample_array(self.samples, self.sample_rate, sample_rate),
                                                np.float32)), sample_rate)

    def slice(self, start: float, end: float) -> "AudioBuffer":
        """The part between ``start`` and ``end`` seconds (clamped to the buffer)."""
        a = max(0, min(self.num_samples, int(round(start * self.sample_rate))))
        b = max(a, min(self.num_samples, int(round(end * self.sample_rate))))
        return self._derive(_Adopted(self.samples[:, a:b]))  # a view of read-only samples: no copy needed

    def _derive(self, samples, sample_rate: int | None = None) -> "AudioBuffer":
        """A new buffer from ``samples``: wrapped in _Adopted when freshly computed (or a view of these frozen
        samples), so an hour-long mono mix or slice is not copied a second time."""
        return AudioBuffer(samples, sample_rate or self.sample_rate, self.source, self.name, self.warnings)

    @property
    def mono_samples(self) -> np.ndarray:
        """1-D float32 view of the mono mixdown at the buffer's own rate."""
        return self.mono().samples[0]


def tame_loud(samples: np.ndarray, ceiling: float = 1.0) -> tuple[np.ndarray, str | None]:
    """``samples`` scaled down to peak at ``ceiling`` when they exceed it, with a warning saying so.

    A float file can hold values far above full scale (peak 1000); models trained on audio in [-1, 1] then
    hallucinate (speech recognition invents text). Returns (samples or a scaled copy, warning or None).
    """
    peak = float(np.max(np.abs(samples))) if samples.size else 0.0
    if not np.isfinite(peak) or peak <= ceiling:
        return samples, None
    db = 20.0 * np.log10(peak / ceiling)
    warning = (f"the input peaks at {peak:.3g}x full scale (+{db:.1f} dB); "
               f"it was scaled down to full scale for the model")
    return (samples * np.float32(ceiling / peak)).astype(np.float32), warning
