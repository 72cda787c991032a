"""Read annotation files into layers: every format :mod:`workbench.core.export` writes, by extension.

``import_layers(path)`` returns the layers in the file. Formats that cannot say which kind they hold (an
Audacity label track is the same for sound events and for words) take ``kind``; :func:`as_kind` turns Events,
Segments and Words into one another (same spans, labels <-> texts) so any of them can be written anywhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..errors import WorkbenchError
from ..layers import Events, Layer, Segments, Words
from .midi import read_midi
from .subtitles import read_subtitles
from .svl import read_svl
from .tabular import read_csv, read_lab, read_labels
from .textgrid import read_textgrid

Reader = Callable[[Path, "str | None"], list[Layer]]


def _jams(path: Path, kind: str | None = None) -> list[Layer]:
    from ..export.jams_import import read_jams  # the jams package takes seconds to import

    layers, _ = read_jams(path)
    return layers


def _npz(path: Path, kind: str | None = None) -> list[Layer]:
    from ..layers import Matrix
    from .common import base_kwargs

    try:
        with np.load(path, allow_pickle=False) as z:
            kw = base_kwargs(path, str(z["name"]) if "name" in z else "")
            return [Matrix(times=z["times"], bins=z["bins"], values=z["values"], bin_unit=str(z["bin_unit"]),
                           value_unit=str(z["value_unit"]), **kw)]
    except (OSError, ValueError, KeyError) as exc:
        raise WorkbenchError(f"Cannot read '{path.name}' as a matrix archive: {exc}") from None


# extension -> (reader, what it holds); the GUI's Import dialog lists them in this order.
READERS: dict[str, tuple[Reader, str]] = {
    ".jams": (_jams, "JAMS (any layers)"),
    ".csv": (read_csv, "CSV table"),
    ".txt": (read_labels, "Audacity labels"),
    ".lab": (read_lab, "time/value lab"),
    ".srt": (read_subtitles, "SubRip subtitles"),
    ".vtt": (read_subtitles, "WebVTT subtitles"),
    ".mid": (read_midi, "MIDI"),
    ".midi": (read_midi, "MIDI"),
    ".svl": (read_svl, "Sonic Visualiser layer"),
    ".textgrid": (read_textgrid, "Praat TextGrid"),
    ".npz": (_npz, "NumPy matrix"),
}
IMPORT_EXTENSIONS = tuple(READERS)
SPAN_KINDS = ("events", "segments", "words")

__all__ = ["IMPORT_EXTENSIONS", "READERS", "SPAN_KINDS", "as_kind", "can_import", "import_layers"]


def can_import(path: str | os.PathLike) -> bool:
    """Whether ``path``'s extension is an annotation format we (or an installed plugin) read."""
    ext = Path(path).suffix.lower()
    return ext in READERS or _contributed_reader(ext) is not None


def import_layers(path: str | os.PathLike, kind: str | None = None) -> list[Layer]:
    """The layers in the annotation file ``path`` (format from its extension).

    ``kind`` ('events', 'segments' or 'words') says what a label track, subtitle file or region layer holds;
    without it labels become Events and subtitles Segments.
    """
    path = Path(path)
    if kind is not None and kind not in SPAN_KINDS:
        raise WorkbenchError(f"Unknown kind '{kind}': choose one of {', '.join(SPAN_KINDS)}")
    ext = path.suffix.lower()
    entry = READERS.get(ext)
    contributed = None if entry is not None else _contributed_reader(ext)
    if entry is None and contributed is None:
        raise WorkbenchError(f"Cannot import '{path.name}': annotation files are {', '.join(READERS)}")
    if not path.is_file():
        raise WorkbenchError(f"Cannot import '{path}': the file does not exist")
    layers = entry[0](path, kind) if entry is not None else list(contributed(path))
    return [as_kind(layer, kind) if kind else layer for layer in layers]


def _contributed_reader(ext: str):
    """A reader a plugin contributes for ``ext`` (its manifest's ``importers``), or None."""
    from ..export.contributed import contributed_readers

    return contributed_readers().get(ext)


def as_kind(layer: Layer, kind: str) -> Layer:
    """``layer`` as Events / Segments / Words (same spans; labels and texts swap); other layers unchanged."""
    if layer.kind == kind or layer.kind not in SPAN_KINDS or kind not in SPAN_KINDS:
        return layer
    kw = {"name": layer.name, "source": layer.source, "metadata": dict(layer.metadata)}
    texts = layer.labels if isinstance(layer, Events) else layer.texts
    conf = layer.confidences
    if kind == "events":
        return Events(starts=layer.starts, ends=layer.ends, labels=list(texts), confidences=conf, **kw)
    cls = Words if kind == "words" else Segments
    return cls(starts=layer.starts, ends=layer.ends, texts=list(texts), confidences=conf, **kw)
