"""Moving a layer in time: results computed on a selection start at 0 and are shifted to where the selection
starts, so that every layer's times count from the start of the file (GUI selections, CLI ``--start``)."""

from __future__ import annotations

import numpy as np

from .layers import Curve, Events, Layer, Matches, Matrix, Notes, Segments, Tags, Tracks


def shift_layer(layer: Layer, seconds: float) -> Layer:
    """Add ``seconds`` to every time of ``layer`` (in place) and return it."""
    if not seconds:
        return layer
    dt = float(seconds)
    if isinstance(layer, (Curve, Matrix)):
        layer.times = np.asarray(layer.times) + dt
    elif isinstance(layer, Notes):
        layer.onsets, layer.offsets = layer.onsets + dt, layer.offsets + dt
    elif isinstance(layer, (Events, Segments)):
        layer.starts, layer.ends = layer.starts + dt, layer.ends + dt
    elif isinstance(layer, Tags):
        if layer.frame_times is not None:
            layer.frame_times = layer.frame_times + dt
    elif isinstance(layer, Tracks):
        layer.offset += dt
    elif isinstance(layer, Matches):  # alignments stay relative to the query; remember where the query starts
        layer.metadata["offset"] = float(layer.metadata.get("offset", 0.0)) + dt
    return layer
