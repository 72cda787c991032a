"""Tracks layers as audio files (WAV 32-bit float or FLAC 24-bit), one file per track."""

from __future__ import annotations

from pathlib import Path

from ..audio import AudioBuffer
from ..audio_io import save_audio
from ..errors import WorkbenchError
from ..layers import Tracks
from .atomic import safe_name


def track_paths(layer: Tracks, path: Path) -> dict[str, Path]:
    """Target file per track: ``path`` itself for a single track, else ``<stem>_<track><ext>``."""
    names = list(layer.tracks)
    if len(names) == 1:
        return {names[0]: path}
    out: dict[str, Path] = {}
    for name in names:
        candidate = path.with_name(f"{path.stem}_{safe_name(name, 'track')}{path.suffix}")
        n = 2
        while candidate in out.values():  # two names that clean up to the same file name
            candidate = path.with_name(f"{path.stem}_{safe_name(name, 'track')}_{n}{path.suffix}")
            n += 1
        out[name] = candidate
    return out


def tracks_audio(layer: Tracks, path: Path, audio: AudioBuffer | None = None) -> list[Path]:
    """Write every track of ``layer`` (each atomically) and return the files in track order."""
    if not layer.tracks:
        raise WorkbenchError(f"Layer '{layer.name}' has no audio tracks to export")
    written = []
    for name, target in track_paths(layer, path).items():
        buf = layer.tracks[name]
        if buf is None:
            raise WorkbenchError(f"Track '{name}' of layer '{layer.name}' has no audio loaded")
        written.append(save_audio(buf, target))
    return written
