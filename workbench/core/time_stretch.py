"""Real-time time stretching for playback at 0.25x-2x with the pitch kept (WSOLA from ``audiotsm``, MIT).

:class:`StreamStretcher` is fed source blocks and gives out stretched blocks, so the player keeps doing loop,
A/B and band filtering block by block at any speed. audiotsm's TSM objects read from a reader and write to a
writer; the two small queues here adapt them to push/pull.
"""

from __future__ import annotations

import numpy as np


class _Queue:
    """A FIFO of (channels, n) float32 frames; audiotsm's Reader and Writer interfaces on one object."""

    def __init__(self, channels: int):
        self.channels = channels
        self._data = np.zeros((channels, 0), np.float32)

    @property
    def empty(self) -> bool:
        return self._data.shape[1] == 0

    def __len__(self) -> int:
        return self._data.shape[1]

    def push(self, block: np.ndarray) -> None:
        self._data = np.concatenate([self._data, np.asarray(block, np.float32)], axis=1)

    def read(self, buffer: np.ndarray) -> int:  # Reader: fill ``buffer`` from the front
        n = min(buffer.shape[1], len(self))
        buffer[:, :n] = self._data[:, :n]
        self._data = self._data[:, n:]
        return n

    def skip(self, n: int) -> int:
        n = min(n, len(self))
        self._data = self._data[:, n:]
        return n

    def write(self, buffer: np.ndarray) -> int:  # Writer: append
        self.push(buffer)
        return buffer.shape[1]

    def pop(self, n: int) -> np.ndarray:
        out, self._data = self._data[:, :n], self._data[:, n:]
        return out


class StreamStretcher:
    """``speed`` times faster (0.5 = half speed), same pitch. Feed with :meth:`process`, take with :meth:`retrieve`."""

    def __init__(self, channels: int, speed: float, frame_length: int = 1024, synthesis_hop: int = 512):
        from audiotsm import wsola

        self.channels = channels
        self._tsm = wsola(channels, speed=float(speed), frame_length=frame_length, synthesis_hop=synthesis_hop)
        self._in, self._out = _Queue(channels), _Queue(channels)
        self.block = synthesis_hop

    def set_speed(self, speed: float) -> None:
        self._tsm.set_speed(float(speed))

    def reset(self) -> None:
        """Forget buffered audio (after a seek: the old position's audio must not be heard)."""
        self._tsm.clear()
        self._in, self._out = _Queue(self.channels), _Queue(self.channels)

    def process(self, block: np.ndarray) -> None:
        """Add source frames, shape (channels, n)."""
        self._in.push(block)
        while not self._in.empty:
            self._tsm.read_from(self._in)
            while True:
                _, finished = self._tsm.write_to(self._out)
                if finished:
                    break

    def available(self) -> int:
        return len(self._out)

    def retrieve(self, n: int) -> np.ndarray:
        """Up to ``n`` stretched frames, shape (channels, <= n)."""
        return self._out.pop(n)
