"""Reads TensorFlow 1 checkpoints (tensor bundles) without TensorFlow.

A bundle is ``<prefix>.index``, a LevelDB-style SSTable mapping each variable name to a ``BundleEntryProto``
(dtype, shape, shard, offset, size), and ``<prefix>.data-00000-of-00001`` holding the raw little-endian tensor
bytes. The table here is uncompressed (TensorFlow writes bundles without compression); blocks are parsed with
their prefix-compressed keys, and entries are decoded with a minimal protobuf walker.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from workbench.core.protobuf_wire import fields
from workbench.core.protobuf_wire import varint as _varint

MAGIC = 0xDB4775248B80FB57
DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64, 10: np.bool_, 19: np.float16}  # TF DataType codes


def _proto(buf: bytes) -> list[tuple[int, object]]:
    """(field number, value) pairs of a protobuf message (varints as int, everything else as bytes)."""
    return [(num, val) for num, _, val in fields(buf)]


def _block(data: bytes, offset: int, size: int) -> list[tuple[bytes, bytes]]:
    """Key/value entries of one SSTable block (keys are stored as shared-prefix deltas)."""
    trailer = data[offset + size]
    if trailer != 0:
        raise ValueError("compressed checkpoint index blocks are not supported")
    blk = data[offset:offset + size]
    (restarts,) = struct.unpack("<I", blk[-4:])
    end = len(blk) - 4 - 4 * restarts
    i, key, out = 0, b"", []
    while i < end:
        shared, i = _varint(blk, i)
        unshared, i = _varint(blk, i)
        vlen, i = _varint(blk, i)
        key = key[:shared] + blk[i:i + unshared]
        i += unshared
        out.append((key, blk[i:i + vlen]))
        i += vlen
    return out


def _handle(buf: bytes, i: int = 0) -> tuple[int, int, int]:
    off, i = _varint(buf, i)
    size, i = _varint(buf, i)
    return off, size, i


def read_index(index_path: Path) -> dict[str, dict]:
    """Variable name -> {dtype, shape, shard, offset, size} from a bundle's .index file."""
    data = Path(index_path).read_bytes()
    if struct.unpack("<Q", data[-8:])[0] != MAGIC:
        raise ValueError(f"{index_path} is not a TensorFlow checkpoint index")
    footer = data[-48:]
    _, _, i = _handle(footer)  # metaindex (unused)
    idx_off, idx_size, _ = _handle(footer, i)
    entries: dict[str, dict] = {}
    for _, handle in _block(data, idx_off, idx_size):
        off, size, _ = _handle(handle)
        for key, value in _block(data, off, size):
            if not key:  # the empty key holds the BundleHeaderProto
                continue
            e = {"dtype": 1, "shape": (), "shard": 0, "offset": 0, "size": 0}
            for num, val in _proto(value):
                if num == 1:
                    e["dtype"] = val
                elif num == 2:
                    e["shape"] = tuple(
                        next((v for n, v in _proto(dim) if n == 1), 0) for n, dim in _proto(val) if n == 2
                    )
                elif num == 3:
                    e["shard"] = val
                elif num == 4:
                    e["offset"] = val
                elif num == 5:
                    e["size"] = val
            entries[key.decode()] = e
    return entries


def read_checkpoint(prefix: str | Path) -> dict[str, np.ndarray]:
    """All tensors of a single-shard bundle ``prefix`` (``prefix + '.index'`` and its data file)."""
    prefix = str(prefix)
    entries = read_index(Path(prefix + ".index"))
    data = Path(prefix + ".data-00000-of-00001").read_bytes()
    out = {}
    for name, e in entries.items():
        if e["shard"] != 0:
            raise ValueError(f"{name}: multi-shard checkpoints are not supported")
        dtype = DTYPES.get(e["dtype"])
        if dtype is None:
            continue  # e.g. strings; never weights
        arr = np.frombuffer(data, dtype=dtype, count=e["size"] // np.dtype(dtype).itemsize, offset=e["offset"])
        out[name] = arr.reshape(e["shape"]).copy()
    return out
