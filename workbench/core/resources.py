"""Where the files the workbench ships (``resources/``: icon, converted and trained models) are found."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

RESOURCES_PACKAGE = "workbench_resources"


def resources_dir() -> Path:
    """The resources folder: the installed ``workbench_resources`` package (wheel or editable install), the
    desktop bundle's copy, or the source checkout's ``resources/``."""
    spec = importlib.util.find_spec(RESOURCES_PACKAGE)
    if spec is not None and spec.submodule_search_locations:
        return Path(list(spec.submodule_search_locations)[0])
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / "resources").is_dir():
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"
