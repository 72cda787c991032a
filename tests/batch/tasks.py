"""Task functions for the engine tests (run inside worker processes, imported by name)."""

from __future__ import annotations

import os


def echo(task: dict) -> dict:
    return {"ok": True, "value": task["value"] * 2, "device": task["device"], "pid": os.getpid()}


def die(task: dict) -> dict:
    os._exit(3)  # a crash in native code, the OOM killer...
