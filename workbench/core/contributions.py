"""What a plugin contributes to the host besides ``process``: declared in its manifest, loaded only on use.

The host never imports a plugin by name. It reads these declarations from the registry and resolves their
``"module:attribute"`` references lazily (:func:`resolve`), so discovery stays fast and a broken contribution
breaks only itself. Like napari's npe2 manifests, everything a plugin adds is listed here:

- :class:`Command`      a CLI sub-command (``workbench NAME ...``)
- :class:`Widget`       a dialog or dock the GUI offers in a menu
- :class:`LiveProcessor` a processor the live panel can run on the microphone
- :class:`LayerKind`    a new kind of result layer, with its GUI renderer
- :class:`Exporter`     a writer for a layer kind and file extension
- :class:`Importer`     a reader that turns a file into layers

Dependencies between plugins are ``PluginManifest.requires`` (plugin ids).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from .errors import WorkbenchError


def resolve(ref: str) -> Any:
    """``"package.module:attr"`` -> the object (imports the module); ``"package.module"`` -> the module."""
    module_name, _, attr = ref.partition(":")
    try:
        module = importlib.import_module(module_name)
        return getattr(module, attr) if attr else module
    except (ImportError, AttributeError) as exc:
        raise WorkbenchError(f"plugin code '{ref}' could not be loaded: {exc}") from exc


@dataclass(frozen=True)
class Command:
    """``workbench NAME ...``. ``module`` defines ``add_arguments(parser)`` and ``run(args) -> int``."""

    name: str
    help: str
    module: str


@dataclass(frozen=True)
class Widget:
    """A dialog or dock. ``factory(parent, host) -> QWidget`` where ``host`` offers the open document."""

    id: str
    title: str  # menu text
    factory: str  # "module:callable"
    menu: str = "Tools"
    shortcut: str = ""


@dataclass(frozen=True)
class LiveProcessor:
    """Something the live panel can run on captured audio: ``factory(params, ctx) -> StreamProcessor``.

    ``monitor``: the processor also returns audio to play back (its ``latency_s`` says how late).
    ``default`` marks the processors that are ticked when the live panel first opens.
    """

    id: str
    title: str
    factory: str
    hop_s: float = 0.05  # how much new audio each push gets
    params: dict = field(default_factory=dict)
    monitor: bool = False
    default: bool = False


@dataclass(frozen=True)
class LayerKind:
    """A layer kind the built-ins do not know. ``layer_class`` is a :class:`~workbench.core.layers.Layer`
    subclass; ``renderer`` a GUI ``LaneView`` subclass (``"module:Class"``), imported only by the GUI."""

    kind: str
    layer_class: str
    renderer: str = ""


@dataclass(frozen=True)
class Exporter:
    """``writer(layer, path, audio) -> list[Path]`` for layers of ``kind`` and files ending in ``extension``."""

    kind: str
    extension: str  # with the dot, lower case: ".svl"
    writer: str
    description: str = ""


@dataclass(frozen=True)
class Importer:
    """``reader(path) -> list[Layer]`` for files ending in ``extension``."""

    extension: str
    reader: str
    description: str = ""


__all__ = ["resolve", "Command", "Widget", "LiveProcessor", "LayerKind", "Exporter", "Importer"]
