"""The document: one audio file, the result layers made from it, their view state, and the project file.

A project file (``.awproj``) is JSON::

    {"format": "audio-workbench-project", "version": 1,
     "audio": {"path": "song.wav" (relative to the project when possible), "absolute": "/abs/song.wav",
               "sample_rate": 44100, "channels": 2, "duration": 12.5},
     "layers": [Layer.to_dict() ...], "view": [{"visible": true, "color": "#00e5ff"} ...]}

``view[i]`` belongs to ``layers[i]``. The audio of Tracks layers (and audio that never came from a file,
e.g. a recording) is saved as 32-bit float WAV in the sibling folder ``<project name>-audio/`` (``song.awproj``
-> ``song.awproj-audio/``, a name no user folder is likely to have; projects of older versions used
``<stem>.tracks/`` and still open) before the JSON; file names carry a content hash, so a save never
overwrites a file the previous project still uses. The JSON itself is written atomically (temp file + fsync +
``os.replace``): a crash leaves the old project.

Saves only ever delete files the project itself wrote: ``"owned"`` lists them (relative paths) and a file is
removed only when the previous save of the same project file owned it, it is a regular file (never a link)
directly inside the project's own audio folder (never a link either), and the new save neither stores nor
opens it (the document's audio may be one of them). Loading validates the whole file against a JSON schema
(:mod:`workbench.core.project_schema`) and builds every layer before it returns, so a damaged project is
refused with one clear line and never half-opens.

View state lives in ``layer.metadata["display"]`` at run time (the GUI's convention) and is stored apart
from the layer in the file. The GUI adds undo on top of the mutators, which return what undo needs.
Pure Python: no Qt.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from .audio import AudioBuffer
from .audio_io import load_audio, save_audio
from .errors import WorkbenchError
from .export.atomic import safe_name, write_text
from .layers import Layer, Tracks
from .project_schema import validate_project

PROJECT_SUFFIX = ".awproj"
FORMAT_NAME = "audio-workbench-project"
VERSION = 1


class MissingAudioError(WorkbenchError):
    """The project's audio file (or a track's WAV) is not where the project says; ``path`` names it."""

    def __init__(self, path: Path, message: str):
        self.path = Path(path)
        super().__init__(message)


TRACKS_SUFFIX = "-audio"
_OWNED_NAME = re.compile(r"^[\w.\-]+_[0-9a-f]{12}\.wav$")  # what store() names files: <safe stem>_<hash>.wav


def tracks_folder(project: Path) -> Path:
    """The folder holding a project's audio files: ``<project file name>-audio`` beside the project file."""
    project = Path(project)
    return project.with_name(project.name + TRACKS_SUFFIX)


def _abs(path: str | os.PathLike) -> Path:
    """Absolute and normalised ('a/../b' -> 'b'), without resolving symlinks."""
    return Path(os.path.abspath(path))


def _audio_hash(buf: AudioBuffer) -> str:
    h = hashlib.sha1(np.ascontiguousarray(buf.samples).tobytes())
    h.update(str(buf.sample_rate).encode())
    return h.hexdigest()[:12]


def _json_default(obj: Any):
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, (set, frozenset)):
        return sorted(obj, key=str)
    return str(obj)  # a stray object in metadata must not make the project unsaveable


LayerRef = Layer | str  # a layer object or its id


class Session:
    """Audio + ordered result layers + view state + dirty flag; saved to / loaded from ``.awproj`` files."""

    def __init__(self, audio: AudioBuffer | None = None, audio_path: str | os.PathLike | None = None,
                 layers: list[Layer] | None = None):
        self.audio = audio
        if audio_path is None and audio is not None and audio.source is not None:
            audio_path = audio.source
        self.audio_path: Path | None = _abs(audio_path) if audio_path else None
        self.layers: list[Layer] = list(layers or [])
        self.path: Path | None = None  # the project file, once saved or loaded
        self.dirty = bool(self.layers)
        self.audio_missing = False  # loaded with missing_audio_ok and the audio was not found
        self.warnings: list[str] = []  # things load() had to skip
        self.view_state: dict[str, Any] = {}  # the GUI's zoom, scroll and view settings ("view_state"; opaque here)
        self._owned: dict[Path, set[str]] = {}  # project file -> files (relative) it wrote, from load/save

    # ----- audio ----------------------------------------------------------------------------------
    def set_audio(self, audio: AudioBuffer | None, path: str | os.PathLike | None = None):
        """Replace the audio; returns the previous ``(audio, audio_path)`` for undo."""
        old = (self.audio, self.audio_path)
        self.audio = audio
        path = path if path is not None else (audio.source if audio is not None else None)
        self.audio_path = _abs(path) if path else None
        self.audio_missing = False
        self.dirty = True
        return old

    def relink_audio(self, path: str | os.PathLike) -> AudioBuffer:
        """Load the audio from ``path`` (e.g. after the user located a moved file) and use it."""
        audio = load_audio(path)
        self.set_audio(audio, path)
        return audio

    @property
    def tracks(self) -> list[Tracks]:
        """The derived audio (Tracks layers) in layer order."""
        return [layer for layer in self.layers if isinstance(layer, Tracks)]

    # ----- layers ---------------------------------------------------------------------------------
    def index_of(self, layer: LayerRef) -> int:
        """Position of ``layer`` (object or id); ValueError when it is not in the session."""
        for i, candidate in enumerate(self.layers):
            if candidate is layer or (isinstance(layer, str) and candidate.id == layer):
                return i
        raise ValueError(f"layer {getattr(layer, 'name', layer)!r} is not in this session")

    def layer(self, layer_id: str) -> Layer:
        return self.layers[self.index_of(layer_id)]

    def add_layer(self, layer: Layer, index: int | None = None) -> int:
        """Insert ``layer`` (at the end by default); returns its index. Undo: ``remove_layer(layer)``."""
        if any(existing is layer for existing in self.layers):
            raise ValueError(f"layer {layer.name!r} is already in this session")
        index = len(self.layers) if index is None else max(0, min(index, len(self.layers)))
        self.layers.insert(index, layer)
        self.dirty = True
        return index

    def remove_layer(self, layer: LayerRef) -> tuple[Layer, int]:
        """Remove and return ``(layer, index)``. Undo: ``add_layer(layer, index)``."""
        index = self.index_of(layer)
        removed = self.layers.pop(index)
        self.dirty = True
        return removed, index

    def replace_layer(self, old: LayerRef, new: Layer) -> Layer:
        """Put ``new`` where ``old`` is; returns the old layer. Undo: ``replace_layer(new, old_layer)``."""
        index = self.index_of(old)
        previous = self.layers[index]
        self.layers[index] = new
        self.dirty = True
        return previous

    def move_layer(self, layer: LayerRef, index: int) -> int:
        """Move ``layer`` to position ``index``; returns its old index. Undo: ``move_layer(layer, old)``."""
        old = self.index_of(layer)
        moving = self.layers.pop(old)
        self.layers.insert(max(0, min(index, len(self.layers))), moving)
        self.dirty = True
        return old

    # ----- view state -----------------------------------------------------------------------------
    @staticmethod
    def view(layer: Layer) -> dict[str, Any]:
        """The layer's mutable view state (``visible``, ``color``...), shared with the GUI."""
        return layer.metadata.setdefault("display", {})

    def is_visible(self, layer: Layer) -> bool:
        return bool(self.view(layer).get("visible", True))

    def set_view(self, layer: Layer, key: str, value: Any) -> Any:
        """Set one view property; returns the previous value (None if unset) for undo."""
        view = self.view(layer)
        old = view.get(key)
        view[key] = value
        self.dirty = True
        return old

    def set_visible(self, layer: Layer, visible: bool) -> bool:
        """Show or hide ``layer``; returns the previous visibility."""
        old = self.is_visible(layer)
        self.set_view(layer, "visible", bool(visible))
        return old

    def set_color(self, layer: Layer, color: str) -> str | None:
        """Set the display colour (``'#rrggbb'``); returns the previous one."""
        return self.set_view(layer, "color", str(color))

    # ----- saving ---------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike | None = None) -> Path:
        """Write the project to ``path`` (default: where it was last saved/loaded); returns the path."""
        if path is None and self.path is None:
            raise WorkbenchError("Choose where to save the project first")
        path = _abs(path if path is not None else self.path)
        folder = tracks_folder(path)
        used: set[str] = set()
        previously_owned = self._owned.get(path, set()) | _owned_by_file(path)

        def store(buf: AudioBuffer, stem: str) -> str:
            if folder.is_symlink():
                raise WorkbenchError(f"Cannot save the project's audio into '{folder}': it is a symbolic link "
                                     "(the workbench never writes through links); remove it or save elsewhere")
            name = f"{safe_name(stem, 'track')}_{_audio_hash(buf)}.wav"
            target = folder / name
            if target.is_symlink():
                raise WorkbenchError(f"Cannot save the project's audio as '{target}': a symbolic link is there")
            if not target.is_file():  # same content already saved: nothing to do
                save_audio(buf, target)
            used.add(name)
            return f"{folder.name}/{name}"

        try:
            doc = {"format": FORMAT_NAME, "version": VERSION, "audio": self._audio_entry(path, store),
                   "layers": [], "view": [], "owned": []}
            for layer in self.layers:
                d = layer.to_dict()
                d["metadata"] = {k: v for k, v in layer.metadata.items() if k != "display"}
                if isinstance(layer, Tracks):
                    d["tracks"] = {name: (store(buf, f"{layer.id}_{name}") if buf is not None else None)
                                   for name, buf in layer.tracks.items()}
                doc["layers"].append(d)
                doc["view"].append(dict(layer.metadata.get("display", {})))
            doc["owned"] = sorted(f"{folder.name}/{name}" for name in used)
            if self.view_state:
                doc["view_state"] = self.view_state
            text = json.dumps(doc, indent=1, default=_json_default)
        except WorkbenchError as exc:
            if str(exc).startswith("Cannot save"):
                raise
            raise WorkbenchError(f"Cannot save the project's audio into '{folder}': "
                                 f"{str(exc).split(chr(39) + ': ', 1)[-1]}") from exc
        except OSError as exc:
            raise WorkbenchError(f"Cannot save the project's audio into '{folder}': {exc.strerror or exc}") from exc
        try:
            write_text(path, text)
        except WorkbenchError as exc:  # the atomic writer names the cause ("the disk is full")
            reason = str(exc).split("': ", 1)[-1]
            raise WorkbenchError(f"Cannot save project '{path}': {reason}") from exc
        self._remove_stale_tracks(path, previously_owned, used, self.audio_path)
        self._owned[path] = set(doc["owned"])
        self.path, self.dirty = path, False
        return path

    def _audio_entry(self, project: Path, store) -> dict | None:
        if self.audio_path is None and self.audio is None:
            return None
        entry: dict[str, Any] = {}
        if self.audio_path is not None:
            try:
                entry["path"] = Path(os.path.relpath(self.audio_path, project.parent)).as_posix()
            except ValueError:  # another drive (Windows): only the absolute path works
                entry["path"] = self.audio_path.as_posix()
            entry["absolute"] = str(self.audio_path)
        else:  # audio that never was a file (a recording): keep a copy with the project
            entry["path"] = store(self.audio, "session_audio")
            entry["embedded"] = True
        if self.audio is not None:
            entry.update(sample_rate=self.audio.sample_rate, channels=self.audio.channels,
                         duration=self.audio.duration)
        return entry

    @staticmethod
    def _remove_stale_tracks(project: Path, owned: set[str], used: set[str], audio_path: Path | None) -> None:
        """Delete what the previous save of ``project`` wrote and the new one no longer uses (see module doc).

        Only after the new JSON is in place may those files go. Anything else (a user's file, a link, a file
        outside the project's own folder, the document's own audio) is never touched.
        """
        folder = tracks_folder(project)
        if folder.is_symlink() or not folder.is_dir():
            return
        for rel in owned:
            parts = Path(rel).parts
            if len(parts) != 2 or parts[0] != folder.name or parts[1] in used or not _OWNED_NAME.match(parts[1]):
                continue
            f = folder / parts[1]
            try:
                if f.is_symlink() or not f.is_file():
                    continue
                if audio_path is not None and audio_path.exists() and os.path.samefile(f, audio_path):
                    continue  # the document's audio is this very file (e.g. a stem re-opened)
                f.unlink()
            except OSError:
                pass
        try:
            folder.rmdir()  # only succeeds when empty
        except OSError:
            pass

    # ----- loading --------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | os.PathLike, missing_audio_ok: bool = False) -> "Session":
        """Read a project. A missing audio or track file raises :class:`MissingAudioError` naming it,
        unless ``missing_audio_ok``: then the layers still load, ``audio`` is None, ``audio_missing`` is
        True (``audio_path`` keeps the expected place, see :meth:`relink_audio`) and ``warnings`` says
        what was skipped."""
        path = _abs(path)
        doc = _read_project(path)
        session = cls()
        session.path = path
        session._owned[path] = set(doc.get("owned") or [])
        entry = doc.get("audio")
        if entry:
            session._load_audio(path, entry, missing_audio_ok)
        views = doc.get("view") or []
        for i, d in enumerate(doc.get("layers") or []):
            layer = session._layer_from_dict(path, i, d, missing_audio_ok)
            view = views[i] if i < len(views) and isinstance(views[i], dict) else {}
            if view:
                layer.metadata["display"] = dict(view)
            session.layers.append(layer)
        session.view_state = dict(doc.get("view_state") or {})
        session.dirty = False
        return session

    def _load_audio(self, project: Path, entry: dict, missing_ok: bool) -> None:
        rel = entry.get("path")
        candidates = [_abs(project.parent / rel)] if rel else []
        if entry.get("absolute"):
            candidates.append(Path(entry["absolute"]))
        found = next((c for c in candidates if c.is_file()), None)
        expected = _abs(entry.get("absolute") or (project.parent / rel if rel else project))
        if found is None:
            msg = (f"The audio file of project '{project.name}' is missing: '{expected}'"
                   + (f" (also looked for '{candidates[0]}')" if len(candidates) > 1 and candidates[0] != expected
                      else ""))
            if not missing_ok:
                raise MissingAudioError(expected, msg)
            self.audio_path, self.audio_missing = (None if entry.get("embedded") else expected), True
            self.warnings.append(msg)
            return
        try:
            self.audio = load_audio(found)
        except WorkbenchError as exc:
            if not missing_ok:
                raise
            self.audio_missing = True
            self.warnings.append(str(exc))
        self.audio_path = None if entry.get("embedded") else _abs(found)
        sr = entry.get("sample_rate")
        if self.audio is not None and sr and int(sr) != self.audio.sample_rate:
            self.warnings.append(f"'{found}' now has {self.audio.sample_rate} Hz, the project was made with {sr} Hz")

    def _layer_from_dict(self, project: Path, i: int, d: dict, missing_ok: bool) -> Layer:
        if not isinstance(d, dict):
            raise WorkbenchError(f"Cannot open project '{project}': layer {i + 1} is damaged")
        d = dict(d)
        files = d.pop("tracks", None) if d.get("kind") == "tracks" else None
        try:
            layer = Layer.from_dict(d)
            layer.time_span  # noqa: B018  (builds nothing; fails on values the views could not draw)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise WorkbenchError(f"Cannot open project '{project}': layer {i + 1} ('{d.get('name', '?')}') "
                                 f"is damaged or of an unknown kind ({exc})") from exc
        if isinstance(layer, Tracks):
            for name, rel in (files or {}).items():
                target = project.parent / rel if rel else None
                if target is not None and target.is_file():
                    buf = load_audio(target)
                    layer.tracks[name] = AudioBuffer(buf.samples, buf.sample_rate, buf.source, name, buf.warnings)
                    continue
                msg = f"Track '{name}' of layer '{layer.name}' is missing: '{target or '(never saved)'}'"
                if not missing_ok:
                    raise MissingAudioError(target or project, msg)
                self.warnings.append(msg)
        return layer


def _read_project(path: Path) -> dict:
    if not path.is_file():
        raise WorkbenchError(f"Cannot open project '{path}': the file does not exist")
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise WorkbenchError(f"Cannot open project '{path}': it is not a valid project file ({exc})") from exc
    except OSError as exc:
        raise WorkbenchError(f"Cannot open project '{path}': {exc.strerror or exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT_NAME:
        raise WorkbenchError(f"Cannot open project '{path}': it is not an Audio Workbench project file")
    version = doc.get("version")
    if not isinstance(version, int) or version > VERSION:
        raise WorkbenchError(f"Cannot open project '{path}': it was written by a newer version of the "
                             f"workbench (format {version}, this one reads up to {VERSION})")
    validate_project(doc, str(path))
    return doc


def _owned_by_file(path: Path) -> set[str]:
    """The ``owned`` list of the project file now at ``path`` (empty when there is none or it is not ours)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return set()
    owned = doc.get("owned") if isinstance(doc, dict) and doc.get("format") == FORMAT_NAME else None
    return {x for x in owned if isinstance(x, str)} if isinstance(owned, list) else set()
