"""What a batch run has to do: the input files, which of them are done already, and their output names.

Output names mirror the input tree (``a/b/song.wav`` -> ``a/b/song.csv``). When two inputs would share a name
(``song.wav`` + ``song.mp3``, ``a.wav`` + ``a.WAV``; compared case-folded, as on macOS and Windows disks) each
keeps its extension (``song.wav.csv``, ``song.mp3.csv``), and a name already taken (by another input's result,
by a file the batch did not write, by a collection table) gets ``~2``, ``~3``. A name, once given, stays with its
input on later runs, so adding files never renames earlier results.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from workbench.core.audio_io import AUDIO_EXTENSIONS

from .jobdb import DB_NAME, JobDB, Record

STAGING_DIR = ".workbench-batch-tmp"  # per-file results are written here first, then renamed into place
TABLE_PREFIX = "collection."  # collection tables: collection.tags.parquet, collection.events.csv ...
TABLE_KINDS = ("summary", "tags", "events", "segments", "words", "notes")


@dataclass
class Item:
    """One input file to process."""

    rel: str  # posix path relative to the input folder
    path: Path
    size: int
    mtime_ns: int
    hash: str
    out_base: str  # output path without extension, relative to the output folder
    reason: str  # new | changed | failed before | interrupted | settings changed | outputs missing
    previous: Record | None = None


@dataclass
class Plan:
    inputs: list[str] = field(default_factory=list)  # every input (rel), sorted
    todo: list[Item] = field(default_factory=list)
    done_before: list[str] = field(default_factory=list)
    inodes: set[tuple[int, int]] = field(default_factory=set)  # (device, inode) of every input

    def describe(self) -> str:
        """'15 input files: 12 done before, 3 to do (2 new, 1 changed)'."""
        reasons = Counter(item.reason for item in self.todo)
        why = ", ".join(f"{n} {r}" for r, n in reasons.most_common())
        return (f"{len(self.inputs)} input files: {len(self.done_before)} done before, {len(self.todo)} to do"
                + (f" ({why})" if why else ""))


def content_hash(path: Path, block: int = 1 << 20) -> str:
    h = hashlib.blake2b(digest_size=16)
    with open(path, "rb") as f:
        while chunk := f.read(block):
            h.update(chunk)
    return h.hexdigest()


def find_inputs(folder: Path, out_dir: Path, owned: set[str]) -> dict[str, Path]:
    """rel -> path of the audio files under ``folder``, leaving out the output folder and the batch's own files."""
    folder, out_dir = folder.resolve(), out_dir.resolve()
    skip_out = out_dir != folder and out_dir.is_relative_to(folder)
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        if skip_out and (here == out_dir or here.is_relative_to(out_dir)):
            dirnames[:] = []
            continue
        dirnames[:] = [d for d in dirnames if d != STAGING_DIR]
        for name in filenames:
            path = here / name
            if path.suffix.lower() not in AUDIO_EXTENSIONS or not path.is_file():
                continue
            if out_dir == folder or path.is_relative_to(out_dir):
                if path.relative_to(out_dir).as_posix().casefold() in owned:
                    continue  # a result of this batch (e.g. a stem), not an input
            found[path.relative_to(folder).as_posix()] = path
    return dict(sorted(found.items()))


def _without_suffix(rel: str) -> str:
    p = PurePosixPath(rel)
    return str(p.with_suffix("")) if p.suffix else rel


def make_plan(folder: Path, out_dir: Path, db: JobDB, plugin: str, params: str, fmt: str,
              redo: bool = False) -> Plan:
    """Compare the input folder with the job database. ``fmt`` is the output extension with its dot."""
    records = db.records()
    owned = db.owned()
    inputs = find_inputs(folder, out_dir, set(owned))
    plan = Plan(inputs=list(inputs))
    reserved = {f"{TABLE_PREFIX}{k}".casefold() for k in TABLE_KINDS} | {DB_NAME.casefold(), STAGING_DIR.casefold()}
    taken = reserved | {r.out_base.casefold() for r in records.values() if r.out_base}
    stems = Counter(_without_suffix(rel).casefold() for rel in inputs)
    for rel, path in inputs.items():
        st = path.stat()
        plan.inodes.add((st.st_dev, st.st_ino))
        rec = records.get(rel)
        if rec and rec.hash and (rec.size, rec.mtime_ns) == (st.st_size, st.st_mtime_ns):
            digest = rec.hash  # unchanged size and time: the content is not read again
        else:
            digest = content_hash(path)
            if rec and rec.hash == digest:
                db.update_stat(rel, st.st_size, st.st_mtime_ns)  # touched, not changed
        reason = _reason(rec, digest, plugin, params, fmt, out_dir) if not redo else "asked to redo"
        if reason is None:
            plan.done_before.append(rel)
            continue
        base = rec.out_base if rec and rec.out_base else _free_name(rel, stems, taken, out_dir, fmt, owned)
        taken.add(base.casefold())
        plan.todo.append(Item(rel, path, st.st_size, st.st_mtime_ns, digest, base, reason, rec))
    return plan


def _reason(rec: Record | None, digest: str, plugin: str, params: str, fmt: str, out_dir: Path) -> str | None:
    """Why an input must be (re)done, or None when its finished result is still valid."""
    if rec is None:
        return "new"
    if rec.status == "failed":
        return "failed before"
    if rec.status != "done":
        return "interrupted"
    if rec.hash != digest:
        return "changed"
    if (rec.plugin, rec.params, rec.format) != (plugin, params, fmt):
        return "settings changed"
    if not rec.outputs or not all((out_dir / o).is_file() for o in rec.outputs):
        return "outputs missing"
    return None


def _free_name(rel: str, stems: Counter, taken: set[str], out_dir: Path, fmt: str, owned: dict[str, str]) -> str:
    base = _without_suffix(rel)
    if stems[base.casefold()] > 1 or _unavailable(base, taken, out_dir, fmt, owned):
        base = rel  # keep the extension: song.wav.csv beside song.mp3.csv
    candidate, n = base, 2
    while _unavailable(candidate, taken, out_dir, fmt, owned):
        candidate, n = f"{base}~{n}", n + 1
    return candidate


def _unavailable(base: str, taken: set[str], out_dir: Path, fmt: str, owned: dict[str, str]) -> bool:
    """The name is another input's, reserved, or a file there that the batch did not write (never replaced)."""
    if base.casefold() in taken:
        return True
    target = out_dir / (base + fmt)
    return (target.exists() or target.is_symlink()) and (base + fmt).casefold() not in owned
