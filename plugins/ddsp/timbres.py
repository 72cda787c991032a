"""Where timbre models live: shipped ones in ``resources/models`` and user-trained ones in the user data folder.

Light module (no torch): the manifest lists timbre names from here at discovery time.
"""

from __future__ import annotations

import os
from pathlib import Path

PREFIX = "ddsp_"


def shipped_timbre_dir() -> Path:
    """``models/`` of the workbench's shipped resources (installed package, bundle or source checkout)."""
    from workbench.core.resources import resources_dir

    return resources_dir() / "models"


def user_timbre_dir() -> Path:
    """Folder for timbres the user trained (``$WORKBENCH_DATA`` or ``~/.local/share/audio-workbench``)/timbres."""
    base = os.environ.get("WORKBENCH_DATA") or os.path.join(
        os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share"), "audio-workbench")
    return Path(base) / "timbres"


def available_timbres() -> dict[str, Path]:
    """Timbre name -> weights path; user models with the same name as a shipped one take precedence."""
    found: dict[str, Path] = {}
    for folder in (shipped_timbre_dir(), user_timbre_dir()):
        if folder.is_dir():
            for p in sorted(folder.glob(f"{PREFIX}*.safetensors")):
                if p.with_suffix(".json").is_file():
                    found[p.stem[len(PREFIX):]] = p
    return found
