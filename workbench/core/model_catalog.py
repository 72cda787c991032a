"""Collects every model the installed plugins can use.

Each built-in plugin lists its models in ``workbench_plugins.<plugin>.models.MODELS`` (a list of
:class:`ModelSpec`); third-party packages add theirs through the ``workbench.models`` entry-point group.
Those modules must stay light (no torch import) since listing models must be fast.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from importlib.metadata import entry_points

from .models import ModelSpec

log = logging.getLogger(__name__)


def builtin_models() -> list[ModelSpec]:
    specs: dict[str, ModelSpec] = {}
    try:
        pkg = importlib.import_module("workbench_plugins")
        names = [f"workbench_plugins.{i.name}.models" for i in pkgutil.iter_modules(pkg.__path__) if i.ispkg]
    except ImportError:
        names = []
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
