"""Tracks layers as audio files (WAV 32-bit float or FLAC 24-bit), one file per track."""

from __future__ import annotations

from pathlib import Path

from ..audio import AudioBuffer
from ..audio_io import save_audio
from ..errors import WorkbenchError
from ..layers import Tracks
from .atomic import WriteError, atomic_paths, safe_name


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
    """Write every track of ``layer`` and return the files in track order.

    All or nothing: the tracks are written into a temporary folder first and renamed into place only when
    every one of them is complete, so a full disk never leaves a new vocals file beside an old accompaniment.
    """
    if not layer.tracks:
        raise WorkbenchError(f"Layer '{layer.name}' has no audio tracks to export")
    targets = track_paths(layer, path)
    for name in targets:
        if layer.tracks[name] is None:
            raise WorkbenchError(f"Track '{name}' of layer '{layer.name}' has no audio loaded")
    if len(targets) == 1:
        name, target = next(iter(targets.items()))
        return [save_audio(layer.tracks[name], target)]
    with atomic_paths(list(targets.values())) as temps:
        for name, tmp in zip(targets, temps):
            try:
                save_audio(layer.tracks[name], tmp)
            except WriteError as exc:  # name the file the user asked for, not the hidden temporary one
                raise WriteError(str(exc).replace(str(tmp), str(targets[name]))) from exc
    return list(targets.values())
