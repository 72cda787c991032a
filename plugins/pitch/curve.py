"""The pitch plugin's output layer, shared by the offline and the streaming paths."""

from __future__ import annotations

import numpy as np

from workbench.core.layers import Curve


def make_curve(times, f0, conf, params: dict, name: str = "f0") -> Curve:
    """The Curve layer: values in Hz on voiced frames, 0 on unvoiced ones (voiced False)."""
    voiced = (conf >= params["threshold"]) & (f0 >= params["fmin"]) & (f0 <= params["fmax"])
    values = np.where(voiced, f0, 0.0)
    return Curve(
        name=name, times=times, values=values, unit="Hz", confidence=conf, voiced=voiced,
        metadata={"model": params["model"], "threshold": params["threshold"], "fmin": params["fmin"],
                  "fmax": params["fmax"], "hop_s": float(times[1] - times[0]) if len(times) > 1 else 0.0},
    )
