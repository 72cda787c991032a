"""A preallocated single-writer ring buffer of float32 frames, safe to write from a PortAudio callback.

The writer (the audio callback) only copies into preallocated memory and advances an integer counter, so it
never allocates numpy arrays and never blocks. Any number of readers each keep their own position (a
:class:`RingReader`); a reader that falls more than ``capacity`` frames behind loses the oldest frames and
counts them as ``lost`` (a dropout on the reading side). Positions are absolute frame counts since the start.

Threading: one writer thread; readers in any other threads. CPython makes the integer counter update atomic;
a reader re-checks the counter after copying so that frames overwritten during the copy are detected.
"""

from __future__ import annotations

import numpy as np


class RingBuffer:
    """``capacity`` frames x ``channels`` of float32 samples."""

    def __init__(self, capacity: int, channels: int = 1):
        if capacity <= 0 or channels <= 0:
            raise ValueError("ring buffer capacity and channels must be positive")
        self.capacity = int(capacity)
        self.channels = int(channels)
        self._data = np.zeros((self.capacity, self.channels), dtype=np.float32)
        self.written = 0  # absolute count of frames ever written

    def write(self, frames: np.ndarray) -> None:
        """Copy ``frames`` (n, channels) in; called from the audio callback: no allocation, no locks."""
        n = frames.shape[0]
        if n > self.capacity:  # keep only the newest frames
            frames = frames[n - self.capacity:]
            self.written += n - self.capacity
            n = self.capacity
        start = self.written % self.capacity
        first = min(n, self.capacity - start)
        self._data[start:start + first] = frames[:first]
        if first < n:
            self._data[:n - first] = frames[first:]
        self.written += n

    def read(self, position: int, max_frames: int | None = None) -> tuple[np.ndarray, int, int]:
        """Frames from absolute ``position`` up to the newest: (frames copy, new position, frames lost)."""
        end = self.written
        lost = 0
        if end - position > self.capacity:
            lost = end - self.capacity - position
            position = end - self.capacity
        if max_frames is not None:
            end = min(end, position + max_frames)
        n = end - position
        if n <= 0:
            return np.zeros((0, self.channels), np.float32), position, lost
        start = position % self.capacity
        first = min(n, self.capacity - start)
        out = np.empty((n, self.channels), np.float32)
        out[:first] = self._data[start:start + first]
        if first < n:
            out[first:] = self._data[:n - first]
        # The writer may have lapped us while copying: drop what it overwrote.
        overrun = self.written - self.capacity - position
        if overrun > 0:
            out = out[overrun:]
            lost += overrun
        return out, end, lost

    def reader(self, from_now: bool = True) -> "RingReader":
        """A new reader starting at the newest frame (``from_now``) or at the oldest frame still held."""
        return RingReader(self, self.written if from_now else max(0, self.written - self.capacity))


class RingReader:
    """One consumer's position in a :class:`RingBuffer`; ``lost`` counts frames it was too slow to read."""

    def __init__(self, ring: RingBuffer, position: int):
        self.ring = ring
        self.position = position
        self.lost = 0

    def read(self, max_frames: int | None = None) -> np.ndarray:
        """Every frame written since the last read (n, channels); advances the position."""
        frames, self.position, lost = self.ring.read(self.position, max_frames)
        self.lost += lost
        return frames

    @property
    def available(self) -> int:
        return self.ring.written - self.position
