"""Recording of drained capture frames into an :class:`AudioBuffer` (a new track when capture ends or fails)."""

from __future__ import annotations

import numpy as np

from workbench.core.audio import AudioBuffer


class Recorder:
    """Collects (n, channels) float32 blocks at ``sample_rate`` Hz while ``recording`` is on.

    Threading: used from one thread (the one that drains the ring buffer).
    """

    def __init__(self, sample_rate: int, channels: int = 1):
        self.sample_rate = int(sample_rate)
        self.channels = int(channels)
        self.recording = False
        self.start_time = 0.0  # capture time (s) of the first recorded frame
        self._blocks: list[np.ndarray] = []
        self._frames = 0

    def start(self, at_time: float = 0.0) -> None:
        """Begin a new recording (what was recorded before is discarded); ``at_time`` is its capture time (s)."""
        self._blocks, self._frames, self.start_time = [], 0, float(at_time)
        self.recording = True

    def stop(self) -> None:
        self.recording = False

    def append(self, frames: np.ndarray) -> None:
        if self.recording and len(frames):
            self._blocks.append(np.asarray(frames, np.float32))
            self._frames += len(frames)

    @property
    def duration(self) -> float:
        """Seconds recorded so far."""
        return self._frames / self.sample_rate

    def to_buffer(self, name: str = "recording") -> AudioBuffer | None:
        """The recording as a (channels, samples) buffer; None when nothing was recorded."""
        if not self._frames:
            return None
        data = np.concatenate(self._blocks, axis=0).T
        return AudioBuffer(data, self.sample_rate, name=name)
