"""torch's lazily imported compiler stack, imported once up front and with the garbage collector paused.

torch imports torch._dynamo (and with it triton, on CUDA builds) the first time anything creates an
optimizer. When that first time was a DDSP training job in a worker thread while the GUI thread collected
garbage, the process died with a segmentation fault inside the collector (seen once in CI, in
tests/gui/test_ddsp_dialog.py). Code that makes an optimizer calls :func:`import_compiler_stack` first: the
collector (process-wide, including the GUI's timed collections, see collector.py) stays paused for the import,
so no thread walks triton's half-made objects meanwhile.
The test session imports it at its start, in the main thread. Not in the app's warm-up: it is 1.5 s of CPU,
which a file opened at start-up would wait for.
"""

from __future__ import annotations

import threading

from .collector import paused

_lock = threading.Lock()
_done = False


def import_compiler_stack() -> None:
    """Import torch._dynamo once (no-op after the first call; errors are left to whoever needs it)."""
    global _done
    with _lock:
        if _done:
            return
        with paused():
            try:
                import torch._dynamo  # noqa: F401
            except Exception:
                pass
        _done = True
