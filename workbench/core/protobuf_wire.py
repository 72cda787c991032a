"""A minimal protobuf wire-format reader: enough to pull a few fields out of model files (ONNX, TensorFlow
checkpoints) without the ``onnx``/``tensorflow`` packages."""

from __future__ import annotations

from typing import Iterator


def varint(buf: bytes, i: int) -> tuple[int, int]:
    """(value, next index) of the base-128 varint starting at ``buf[i]``."""
    out = shift = 0
    while True:
        b = buf[i]
        i += 1
        out |= (b & 0x7F) << shift
        if b < 0x80:
            return out, i
        shift += 7


def fields(buf: bytes) -> Iterator[tuple[int, int, object]]:
    """(field number, wire type, value) of one message: ints for varints, bytes otherwise."""
    i, n = 0, len(buf)
    while i < n:
        key, i = varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            val, i = varint(buf, i)
        elif wire == 1:
            val, i = buf[i:i + 8], i + 8
        elif wire == 2:
            size, i = varint(buf, i)
            val, i = buf[i:i + size], i + size
        elif wire == 5:
            val, i = buf[i:i + 4], i + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield num, wire, val
