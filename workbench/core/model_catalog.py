"""Collects every model the installed plugins can use.

Each plugin may list its models in a ``models`` module beside its code (``<plugin package>.models.MODELS``, a
list of :class:`ModelSpec`), found from the manifest; other packages add theirs through the ``workbench.models``
entry-point group.
Those modules must stay light (no torch import) since listing models must be fast.
"""

from __future__ import annotations

import importlib
import logging
from importlib.metadata import entry_points

from .models import ModelSpec

log = logging.getLogger(__name__)


def builtin_models() -> list[ModelSpec]:
    specs: dict[str, ModelSpec] = {}
    from .registry import default_registry

    names = []
    for manifest in default_registry():
        package = manifest.module.rpartition(".")[0]
        if package and f"{package}.models" not in names:
            names.append(f"{package}.models")
    for name in names:
        try:
            for s in importlib.import_module(name).MODELS:
                specs.setdefault(s.id, s)
        except ModuleNotFoundError:
            continue
        except Exception as exc:
            log.warning("model list %s failed to load: %s", name, exc)
    for ep in entry_points(group="workbench.models"):
        try:
            for s in ep.load():
                specs.setdefault(s.id, s)
        except Exception as exc:
            log.warning("model entry point %s failed to load: %s", ep.name, exc)
    return list(specs.values())
