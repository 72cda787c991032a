"""Sample-rate conversion shared by the buffer, the plugins and live capture."""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly


def resample_array(samples: np.ndarray, from_rate: int, to_rate: int) -> np.ndarray:
    """Polyphase resampling along the last axis; returns float32."""
    if from_rate == to_rate:
        return np.asarray(samples, dtype=np.float32)
    g = gcd(int(from_rate), int(to_rate))
    out = resample_poly(np.asarray(samples, dtype=np.float64), to_rate // g, from_rate // g, axis=-1)
    return out.astype(np.float32)
