"""Plugin discovery: manifests only (code loads on first use), never a plugin imported by name.

Two entry-point groups: ``workbench.plugins`` (one manifest each: installed and third-party plugins) and
``workbench.plugin_packages`` (a package whose sub-folders with a ``manifest.py`` are plugins, so a new folder
in a source checkout is found without reinstalling). Requirements between plugins (``requires``) are checked:
a plugin whose requirement is missing is recorded in ``problems`` and left out.
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
from importlib.metadata import entry_points

from .errors import WorkbenchError
from .plugin_api import PluginManifest

log = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "workbench.plugins"
PACKAGE_GROUP = "workbench.plugin_packages"


class PluginRegistry:
    """The plugins known to this process, by id. Broken plugins are recorded, never fatal."""

    def __init__(self, manifests: list[PluginManifest] | None = None):
        self._plugins: dict[str, PluginManifest] = {}
        self.problems: dict[str, str] = {}  # entry point / module -> why it could not be loaded
        for m in manifests or []:
            self.add(m)

    def add(self, manifest: PluginManifest) -> None:
        if manifest.id in self._plugins and self._plugins[manifest.id] is not manifest:
            log.debug("plugin %s registered twice; keeping the first", manifest.id)
            return
        self._plugins[manifest.id] = manifest

    def get(self, plugin_id: str) -> PluginManifest:
        try:
            return self._plugins[plugin_id]
        except KeyError:
            known = ", ".join(sorted(self._plugins)) or "none"
            raise WorkbenchError(f"No plugin called '{plugin_id}'. Available plugins: {known}") from None

    def __contains__(self, plugin_id: str) -> bool:
        return plugin_id in self._plugins

    def __iter__(self):
        return iter(sorted(self._plugins.values(), key=lambda m: (m.category, m.name)))

    def __len__(self):
        return len(self._plugins)

    @classmethod
    def discover(cls) -> "PluginRegistry":
        """Entry points first (installed and third-party plugins), then built-ins of a source checkout."""
        reg = cls()
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                manifest = ep.load()
                if not isinstance(manifest, PluginManifest):
                    raise TypeError(f"{ep.value} is not a PluginManifest")
                reg.add(manifest)
            except Exception as exc:  # a broken third-party plugin must not stop the host
                reg.problems[ep.name] = f"{type(exc).__name__}: {exc}"
                log.warning("plugin entry point %s failed to load: %s", ep.name, exc)
        for ep in entry_points(group=PACKAGE_GROUP):
            reg._add_package(ep.value)
        reg._check_requirements()
        return reg

    def _check_requirements(self) -> None:
        changed = True
        while changed:  # dropping one plugin may orphan another
            changed = False
            for pid, m in list(self._plugins.items()):
                missing = [r for r in m.requires if r not in self._plugins]
                if missing:
                    self.problems[pid] = f"needs the plugin(s) {', '.join(missing)}, which are not installed"
                    del self._plugins[pid]
                    changed = True

    def _add_package(self, package: str) -> None:
        try:
            pkg = importlib.import_module(package)
        except ImportError as exc:
            self.problems[package] = f"{type(exc).__name__}: {exc}"
            return
        for info in pkgutil.iter_modules(pkg.__path__):
            if not info.ispkg:
                continue
            name = f"{package}.{info.name}.manifest"
            try:
                manifest = importlib.import_module(name).MANIFEST
                self.add(manifest)
            except ModuleNotFoundError:
                continue
            except Exception as exc:
                self.problems[name] = f"{type(exc).__name__}: {exc}"


_default: PluginRegistry | None = None


def default_registry() -> PluginRegistry:
    """The process-wide registry, discovered once."""
    global _default
    if _default is None:
        _default = PluginRegistry.discover()
    return _default
