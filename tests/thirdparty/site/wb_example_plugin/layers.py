from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from workbench.core.layers import Layer


@dataclass(eq=False)
class Peaks(Layer):
    """A layer kind of this plugin's own: peak times (s) and their levels (dB)."""

    kind: ClassVar[str] = "peaks"
    times: np.ndarray = field(default_factory=lambda: np.zeros(0))
    levels: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self):
        self.times = np.asarray(self.times, float)
        self.levels = np.asarray(self.levels, float)

    def time_span(self):
        return (float(self.times[0]), float(self.times[-1])) if len(self.times) else (0.0, 0.0)


def write_peaks(layer: Peaks, path, audio=None):
    from pathlib import Path

    path = Path(path)
    path.write_text("".join(f"{t:.3f} {v:.1f}\n" for t, v in zip(layer.times, layer.levels)))
    return [path]
