"""``.lab`` chord files (MIREX / Isophonics: ``start<TAB>end<TAB>label`` per line, seconds, Harte labels)."""

from __future__ import annotations

from pathlib import Path

from workbench.core.errors import WorkbenchError
from workbench.core.export.tabular import segments_labels


def chords_lab(layer, path: Path, audio=None) -> list[Path]:
    """Write a chord Segments layer as a .lab file; other segment layers are refused (their .lab means nothing)."""
    if layer.metadata.get("jams_namespace") != "chord":
        raise WorkbenchError(f"'.lab' files hold chords; the layer '{layer.name}' is not a chord layer")
    return segments_labels(layer, Path(path), audio)
