"""Atomic file writes: write a temporary file in the target's folder, fsync it, then ``os.replace``.

A crash or an exception half-way leaves the previous file untouched and no temporary file behind.
:func:`atomic_paths` does the same for a group of files (a multi-track export): all of them, or none.
:func:`protected_inputs` marks files (a command's input) that no write may replace, whatever the path
spelling (symlinks, ``..``, hard links). OS errors become one-line :class:`WorkbenchError` messages.
"""

from __future__ import annotations

import errno
import os
import re
import secrets
import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import WorkbenchError

class WriteError(WorkbenchError, OSError):
    """A file could not be written (full or read-only disk...): a one-line message; still an OSError."""


_protected: list[Path] = []
_protected_lock = threading.Lock()


@contextmanager
def protected_inputs(*paths: str | os.PathLike | None) -> Iterator[None]:
    """While inside, :func:`check_target` (called by every writer here) refuses to replace these files."""
    added = [Path(p) for p in paths if p]
    with _protected_lock:
        _protected.extend(added)
    try:
        yield
    finally:
        with _protected_lock:
            for p in added:
                _protected.remove(p)


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when ``a`` and ``b`` are the same file: equal after resolving links, or the same inode."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def check_target(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Raise :class:`WorkbenchError` when writing ``path`` would replace a protected input or one of ``inputs``."""
    with _protected_lock:
        candidates = [*_protected, *inputs]
    for src in candidates:
        if same_file(path, src):
            raise WorkbenchError(f"Refusing to write '{path}': that is the input file '{src}', which would be "
                                 "overwritten; choose another output name")


def os_error_message(exc: OSError, path: str | os.PathLike) -> str:
    """'Cannot write 'x': the disk is full' and the like, for an OSError met while writing ``path``."""
    reasons = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exhausted",
               errno.EROFS: "the disk is read-only", errno.EACCES: "permission denied",
               errno.EPERM: "permission denied", errno.ENOENT: "the folder does not exist",
               errno.ENOTDIR: "a part of the path is not a folder", errno.EISDIR: "a folder of that name exists",
               errno.EFBIG: "the file would be larger than allowed"}
    reason = reasons.get(exc.errno or -1, exc.strerror or str(exc))
    return f"Cannot write '{path}': {reason}"


def safe_name(text: str, fallback: str = "layer") -> str:
    """``text`` reduced to characters that are safe in a file name on every platform."""
    cleaned = re.sub(r"[^\w.\-]+", "_", text.strip(), flags=re.UNICODE).strip("._")
    return cleaned or fallback


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform (Windows), so best effort.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path`` (same extension); on success it replaces ``path``.

    The caller writes the whole file to the yielded path (and closes it); the context manager then
    fsyncs it and renames it over ``path``. On any exception the temporary file is removed.
    """
    path = Path(path)
    check_target(path)
    tmp = path.with_name(f".{path.stem}.tmp-{os.getpid()}-{secrets.token_hex(4)}{path.suffix}")
    try:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except WriteError:
            raise
        except OSError as exc:
            raise WriteError(os_error_message(exc, path)) from exc
        _fsync_dir(path.parent)
    finally:
        if tmp.exists():
            tmp.unlink()


@contextmanager
def atomic_paths(paths: list[Path]) -> Iterator[list[Path]]:
    """All-or-nothing writing of several files: yields one temporary path per target (same order).

    The temporaries live in one hidden folder beside the first target (same file system). Only when every
    file is written are they renamed into place; the files they replace are first moved into that folder,
    so a failure during the renames puts every old file back. On any failure nothing changed.
    """
    paths = [Path(p) for p in paths]
    for p in paths:
        check_target(p)
    if len({os.path.realpath(p) for p in paths}) != len(paths):
        raise WorkbenchError("Cannot export: two output files would have the same name")
    first = paths[0]
    stage = first.with_name(f".{first.stem}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        try:
            first.parent.mkdir(parents=True, exist_ok=True)
            stage.mkdir()
            temps = [stage / f"{i}{p.suffix}" for i, p in enumerate(paths)]
            yield temps
            for t in temps:
                with open(t, "rb+") as fh:
                    os.fsync(fh.fileno())
            _commit(paths, temps, stage)
        except WriteError:
            raise
        except OSError as exc:
            raise WriteError(os_error_message(exc, first)) from exc  # the file asked for, not a hidden temporary
        for folder in {p.parent for p in paths}:
            _fsync_dir(folder)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _commit(paths: list[Path], temps: list[Path], stage: Path) -> None:
    backups: list[tuple[Path, Path]] = []  # (target, where its old file waits)
    placed: list[Path] = []
    try:
        for i, target in enumerate(paths):
            if target.exists() or target.is_symlink():
                old = stage / f"old-{i}"
                os.replace(target, old)
                backups.append((target, old))
        for target, tmp in zip(paths, temps):
            os.replace(tmp, target)
            placed.append(target)
    except OSError:
        for target in placed:  # undo: new files out, old files back
            try:
                target.unlink()
            except OSError:
                pass
        for target, old in backups:
            try:
                os.replace(old, target)
            except OSError:
                pass
        raise


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    path = Path(path)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
    return path


def write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 (``\\n`` line ends) to ``path`` atomically."""
    return write_bytes(path, text.encode("utf-8"))
