"""Reads scalar initializers (e.g. quantisation scales) from an ONNX file without the ``onnx`` package.

An ONNX model is a protobuf ``ModelProto``; its ``graph`` (field 7) holds ``initializer`` tensors (field 5), each
a ``TensorProto`` with ``name`` (field 8), ``data_type`` (field 2) and ``raw_data`` (field 9). Only the wire format
is needed to find a few named scalars, so a tiny varint/length-delimited walker does it.
"""

from __future__ import annotations

import numpy as np

from workbench.core.protobuf_wire import fields

_DTYPES = {1: "<f4", 2: "<u1", 3: "<i1", 4: "<u2", 5: "<i2", 6: "<i4", 7: "<i8", 11: "<f8"}  # ONNX TensorProto codes


def scalar_initializers(model: bytes, names: set[str]) -> dict[str, float]:
    """Values of the named scalar initializers stored inline (raw_data) in an ONNX model's graph."""
    out: dict[str, float] = {}
    graph = next((v for num, w, v in fields(model) if num == 7 and w == 2), None)
    if graph is None:
        raise ValueError("not an ONNX model (no graph)")
    for num, wire, tensor in fields(graph):
        if num != 5 or wire != 2:
            continue
        name, dtype, raw = "", 0, b""
        for f, w, v in fields(tensor):
            if f == 8 and w == 2:
                name = v.decode()
            elif f == 2 and w == 0:
                dtype = v
            elif f == 9 and w == 2:
                raw = v
        if name in names and raw and dtype in _DTYPES:
            out[name] = float(np.frombuffer(raw, dtype=_DTYPES[dtype], count=1)[0])
    return out
