"""Export result layers to files; the format follows the file extension.

``.jams`` holds any number of layers in one file. Every other format holds one layer (Tracks: one audio file
per track). :func:`export_layers` picks the layers that support the extension, :func:`supported_formats`
tells the GUI what to offer. All writes are atomic (temporary file in the same folder, then ``os.replace``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ..audio import AudioBuffer
from ..errors import WorkbenchError
from ..layers import Layer
from . import audio_tracks, midi, subtitles, svl, tabular, textgrid
from .atomic import safe_name

# The jams package takes seconds to import, so the JAMS modules are only loaded when used.


def write_jams(layers: list[Layer], path: str | os.PathLike, audio: AudioBuffer | None = None) -> list[Path]:
    """All ``layers`` in one JAMS file at ``path`` (plus WAVs for Tracks layers); returns the files written."""
    from . import jams_export

    return jams_export.write_jams(layers, Path(path), audio)


def _layer_jams(layer: Layer, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    return write_jams([layer], path, audio)


def layers_from_jams(path: str | os.PathLike) -> list[Layer]:
    """Layers (Curve, Notes, Events, Segments/Words, Tags) read from a JAMS file; other annotations skipped."""
    from .jams_import import layers_from_jams as read

    return read(path)


def read_jams(path: str | os.PathLike) -> tuple[list[Layer], list[str]]:
    """(layers read from a JAMS file, namespaces of the annotations that could not become layers)."""
    from .jams_import import read_jams as read

    return read(path)


Writer = Callable[[Layer, Path, "AudioBuffer | None"], list[Path]]

_SEGMENT_FORMATS: dict[str, Writer] = {".srt": subtitles.segments_srt, ".vtt": subtitles.segments_vtt,
                                       ".txt": tabular.segments_labels, ".textgrid": textgrid.layer_textgrid,
                                       ".svl": svl.layer_svl, ".csv": tabular.segments_csv,
                                       ".text": subtitles.segments_txt}

# Per layer kind: extension -> writer, the most natural format first (the GUI offers them in this order).
# One meaning per extension (README, "Annotation formats"): .txt is always an Audacity label track, .lab always
# time<TAB>value, .csv always a table with a header row, .text plain text.
FORMATS: dict[str, dict[str, Writer]] = {
    "curve": {".csv": tabular.curve_csv, ".svl": svl.layer_svl, ".lab": tabular.curve_lab},
    "notes": {".mid": midi.notes_mid, ".svl": svl.layer_svl, ".csv": tabular.notes_csv},
    "events": {".txt": tabular.events_labels, ".csv": tabular.events_csv, ".svl": svl.layer_svl},
    "segments": dict(_SEGMENT_FORMATS),
    "words": dict(_SEGMENT_FORMATS),
    "tags": {".csv": tabular.tags_csv},
    "matrix": {".csv": tabular.matrix_csv, ".npz": tabular.matrix_npz},
    "tracks": {".wav": audio_tracks.tracks_audio, ".flac": audio_tracks.tracks_audio},
    "matches": {".csv": tabular.matches_csv},
}
for _table in FORMATS.values():
    _table[".jams"] = _layer_jams

__all__ = ["FORMATS", "export_layer", "export_layers", "export_to_folder", "supported_formats", "layers_from_jams",
           "read_jams", "write_jams"]


def writers_for(kind: str) -> dict[str, Writer]:
    """Extension -> writer for a layer kind: the built-in formats, then those plugins contribute."""
    from .contributed import contributed_writers

    return {**contributed_writers(kind), **FORMATS.get(kind, {})}


def supported_formats(layer: Layer) -> list[str]:
    """Extensions (with the dot, e.g. ``'.csv'``) that ``layer`` can be exported to, most natural first."""
    return list(writers_for(layer.kind)) or [".jams"]


def export_layer(layer: Layer, path: str | os.PathLike, audio: AudioBuffer | None = None) -> list[Path]:
    """Write one layer to ``path`` in the format of its extension; returns the files written."""
    path = Path(path)
    ext = path.suffix.lower()
    writer = writers_for(layer.kind).get(ext)
    if writer is None:
        raise WorkbenchError(f"Cannot export the {layer.kind} layer '{layer.name}' as '{ext or path.name}': "
                             f"{_describe([layer])}")
    return writer(layer, path, audio)


def export_layers(layers: list[Layer], path: str | os.PathLike, audio: AudioBuffer | None = None) -> list[Path]:
    """Export ``layers`` to ``path`` (format from the extension); returns every file written.

    ``.jams``: all layers in one file (``file_metadata.duration`` from ``audio``); ``.TextGrid``: one tier per
    layer. Other formats: each layer that supports the extension; the first goes to ``path``, the others to
    ``<stem>_<layer name><ext>``.
    """
    path = Path(path)
    layers = list(layers)
    if not layers:
        raise WorkbenchError("Nothing to export: there are no result layers")
    ext = path.suffix.lower()
    if ext == ".jams":
        return write_jams(layers, path, audio)
    chosen = [layer for layer in layers if ext in writers_for(layer.kind)]
    if not chosen:
        raise WorkbenchError(f"Cannot export to '{path.name}': no layer can be written as "
                             f"'{ext or 'a file without extension'}'. {_describe(layers)}")
    if ext == ".textgrid":  # Praat keeps words and sentences together: one tier per layer
        return textgrid.write_textgrid(chosen, path, audio)
    written: list[Path] = []
    used: set[Path] = set()
    for n, layer in enumerate(chosen):
        target = path if n == 0 else _sibling(path, layer.name, used)
        used.add(target)
        written += writers_for(layer.kind)[ext](layer, target, audio)
    return written


def export_to_folder(layers: list[Layer], folder: str | os.PathLike, audio: AudioBuffer | None = None,
                     formats: dict[str, str] | None = None) -> list[Path]:
    """Every layer into ``folder`` as ``<layer name><ext>``, in ``formats[kind]`` or its most natural format.

    Files already in the folder are kept: a name that is taken gets a ``_2`` (``_3``...) suffix."""
    folder = Path(folder)
    if not layers:
        raise WorkbenchError("Nothing to export: there are no result layers")
    if folder.exists() and not folder.is_dir():
        raise WorkbenchError(f"Cannot export into '{folder}': it is a file, not a folder")
    written: list[Path] = []
    used: set[Path] = set()
    for layer in layers:
        ext = (formats or {}).get(layer.kind) or next(iter(FORMATS.get(layer.kind, {})), supported_formats(layer)[0])
        target, n = folder / f"{safe_name(layer.name)}{ext}", 2
        while target in used or target.exists():
            target, n = folder / f"{safe_name(layer.name)}_{n}{ext}", n + 1
        used.add(target)
        written += export_layer(layer, target, audio)
    return written


def _sibling(path: Path, layer_name: str, used: set[Path]) -> Path:
    base = f"{path.stem}_{safe_name(layer_name)}"
    target, n = path.with_name(base + path.suffix), 2
    while target in used or target == path:  # two layers with the same name
        target, n = path.with_name(f"{base}_{n}{path.suffix}"), n + 1
    return target


def _describe(layers: list[Layer]) -> str:
    """'curve layers can be written as .csv, .lab, ...; notes layers as .mid, ...' for the given layers."""
    kinds = list(dict.fromkeys(layer.kind for layer in layers))
    parts = [f"{k} layers as {', '.join(FORMATS.get(k, {'.jams': None}))}" for k in kinds]
    return "Supported: " + "; ".join(parts) + "."
