"""Keep freed buffers from piling up in the C heap of a long-running, multi-threaded process.

glibc raises its mmap threshold after each big buffer is freed (up to 32 MB), so the tile workers' 2-30 MB
temporaries then come from per-thread heap arenas, which rarely shrink: opening an hour-long file left
~450 MB of freed memory in the process. A fixed threshold sends every buffer of 1 MB or more to mmap,
returned to the system on free. A no-op on other C libraries.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter numbers (malloc.h)
MMAP_THRESHOLD = 1 << 20


def use_fixed_mmap_threshold(threshold: int = MMAP_THRESHOLD) -> bool:
    """Set glibc's mmap threshold to ``threshold`` bytes (this also stops its dynamic adjustment).
    Returns True when the C library accepted it."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(M_MMAP_THRESHOLD, int(threshold)))
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
