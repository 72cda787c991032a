"""Where timbre models live: shipped ones in ``resources/models`` and user-trained ones in the user data folder.

Light module (no torch): the manifest lists timbre names from here at discovery time.
"""

from __future__ import annotations

import os
from pathlib import Path

PREFIX = "ddsp_"


def shipped_timbre_dir() -> Path:
    """``resources/models`` of a source checkout (or of the desktop bundle)."""
    import sys

    here = Path(__file__).resolve().parents[2] / "resources" / "models"
    bundle = Path(getattr(sys, "_MEIPASS", "")) / "resources" / "models"
    return bundle if getattr(sys, "_MEIPASS", None) and bundle.is_dir() else here


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
