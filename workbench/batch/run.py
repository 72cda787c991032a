"""A resumable batch: plan against the job database, run the to-do files on an engine, commit each result.

Commit order per file: the output names are recorded as the batch's own and the row marked ``writing``, the
files are renamed from the staging folder into place, then the row is marked ``done``, all in one
uninterruptible step. Ctrl-C stops the workers and keeps every committed file; a file caught mid-commit is
redone on the next run. A result never replaces a file the batch did not write (an input, a user's file) or
another input's result: that file fails with the reason instead.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from workbench.core.errors import WorkbenchError

from .jobdb import JobDB, Record
from .plan import STAGING_DIR, Item, make_plan
from .tables import table_format, write_tables

PLUGIN_TASK = "workbench.batch.worker:run_plugin_task"


@dataclass
class BatchOptions:
    folder: Path
    out_dir: Path
    plugin: str
    param_pairs: list[str] = field(default_factory=list)
    fmt: str = "jams"
    workers: int | None = None  # local: default 1; ray: default the cluster's CPUs (or GPUs)
    engine: str = "local"  # local | ray
    address: str | None = None  # Ray cluster; None starts a local Ray
    device: str | None = None
    table: str = "auto"  # auto | parquet | csv | none
    redo: bool = False
    progress: bool | None = None  # None: a progress bar when stderr is a terminal


@dataclass
class BatchSummary:
    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # done in an earlier run and unchanged
    failed: dict[str, str] = field(default_factory=dict)  # rel -> reason
    not_run: int = 0  # left when interrupted
    interrupted: bool = False
    tables: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    engine: str = ""
    workers: int = 0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


def output_extension(manifest, fmt: str) -> str:
    """'.csv' for 'csv'/'.CSV'; refuses, before any model runs, a format no output of the plugin can be written as."""
    from workbench.core.export import FORMATS

    ext = "." + fmt.strip().lstrip(".").lower()
    ok = {".jams"} | {e for kind in manifest.outputs for e in FORMATS.get(kind, {})} \
        | {x.extension for x in manifest.exporters}
    if ext not in ok:
        raise WorkbenchError(f"The {manifest.id} plugin's results ({', '.join(manifest.outputs) or 'none'}) cannot be "
                             f"written as '{ext}'. Use --format {' or '.join(sorted(e.lstrip('.') for e in ok))}")
    return ext


@contextmanager
def _deferred_interrupt():
    """Ctrl-C waits until the block is done (a commit is never half made), then raises."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    hit: list[int] = []
    old = signal.signal(signal.SIGINT, lambda *_: hit.append(1))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)
        if hit:
            raise KeyboardInterrupt


class _Ledger:
    """Which output file belongs to which input (case-folded), kept in memory for the run."""

    def __init__(self, db: JobDB, inputs: set[tuple[int, int]]):
        self.db = db
        self.inputs = inputs  # (device, inode) of every input: a result must never land on one
        self.owned = set(db.owned())
        self.owner = {o.casefold(): r.rel for r in db.records().values() for o in r.outputs}

    def problem(self, out_dir: Path, item: Item, files: list[str]) -> str | None:
        for f in files:
            key, target = f.casefold(), out_dir / f
            other = self.owner.get(key)
            if other is not None and other != item.rel:
                return f"its result '{f}' would replace the result of '{other}'; rename one of the two inputs"
            if target.exists() and _inode(target) in self.inputs:
                return f"its result '{f}' would overwrite the input file '{target}'; it is left as it is"
            if key not in self.owned and (target.exists() or target.is_symlink()):
                return f"'{target}' already exists and was not written by this batch; it is left as it is"
        return None

    def commit(self, out_dir: Path, staging: Path, rec: Record, files: list[str]) -> None:
        self.owned |= {f.casefold() for f in files}
        rec.status, rec.outputs = "writing", files
        self.db.put(rec, own=files)
        for f in files:
            target = out_dir / f
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / f, target)
            self.owner[f.casefold()] = rec.rel
        rec.status = "done"
        self.db.put(rec)


def _inode(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


def run_batch(opts: BatchOptions, out=None, err=None) -> BatchSummary:
    """Run (or resume) the batch; prints the plan, one line per file and the summary."""
    from workbench.core.params import parse_cli_params, resolve_params
    from workbench.core.registry import default_registry

    out, err = out or sys.stdout, err or sys.stderr
    t0 = time.perf_counter()
    folder, out_dir = Path(opts.folder).expanduser(), Path(opts.out_dir).expanduser()
    if not folder.is_dir():
        raise WorkbenchError(f"'{folder}' is not a folder")
    manifest = default_registry().get(opts.plugin)
    if not manifest.has_process or "audio" not in manifest.inputs:
        raise WorkbenchError(f"The plugin '{opts.plugin}' does not analyse audio files, so it cannot run as a batch")
    params = resolve_params(manifest.params, parse_cli_params(manifest.params, opts.param_pairs))
    params_json = json.dumps(params, sort_keys=True, default=str)
    ext = output_extension(manifest, opts.fmt)
    tables = table_format(opts.table)
    if out_dir.exists() and not out_dir.is_dir():
        raise WorkbenchError(f"The output folder '{out_dir}' is a file")
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WorkbenchError(f"Cannot create the output folder '{out_dir}': {exc.strerror}") from None
    staging_root = out_dir / STAGING_DIR
    shutil.rmtree(staging_root, ignore_errors=True)  # leftovers of an interrupted run (only ever ours)
    summary = BatchSummary(engine=opts.engine)
    with JobDB(out_dir) as db:
        plan = make_plan(folder, out_dir, db, opts.plugin, params_json, ext, opts.redo)
        if not plan.inputs:
            raise WorkbenchError(f"No audio files found in '{folder}'")
        print(plan.describe(), file=err, flush=True)
        summary.skipped = list(plan.done_before)
        if plan.todo:
            _run_todo(opts, manifest, params, params_json, ext, plan.todo, plan.inodes, out_dir, db, summary, out,
                      err)
        shutil.rmtree(staging_root, ignore_errors=True)
        if tables and not summary.interrupted:
            records = db.records()
            per_file = {rel: records[rel].rows for rel in plan.inputs
                        if rel in records and records[rel].status == "done" and records[rel].rows}
            if per_file:
                summary.tables = write_tables(out_dir, per_file, tables)
    summary.seconds = time.perf_counter() - t0
    _print_summary(summary, err)
    if summary.interrupted:
        raise KeyboardInterrupt
    return summary


def threads_per_worker(workers: int) -> int:
    """Compute threads of each worker: the cores shared out, or OMP_NUM_THREADS when the user set it."""
    try:
        return max(1, int(os.environ["OMP_NUM_THREADS"]))
    except (KeyError, ValueError):
        return max(1, (os.cpu_count() or 1) // workers)


def _make_engine(opts: BatchOptions, manifest, count: int, err):
    if opts.engine == "ray":
        from .ray_engine import RayEngine

        uses_gpu = manifest.compute != "cpu" and (opts.device or "auto") != "cpu"
        return RayEngine(opts.address, opts.workers, uses_gpu,
                         threads_per_worker(opts.workers or os.cpu_count() or 1) if not opts.address else None)
    if opts.engine != "local":
        raise WorkbenchError(f"Unknown engine '{opts.engine}': use local or ray")
    from .local_engine import LocalEngine

    workers = max(1, min(opts.workers or 1, count))
    preference = "cpu" if manifest.compute == "cpu" else (opts.device or "auto")
    engine = LocalEngine(workers, preference, threads_per_worker(workers))
    if engine.size < workers:
        print(f"note: {engine.size} worker(s), one per GPU", file=err)
    return engine


def _run_todo(opts, manifest, params, params_json, ext, todo: list[Item], inodes, out_dir: Path, db: JobDB,
              summary: BatchSummary, out, err) -> None:
    from tqdm import tqdm

    staging_root = out_dir / STAGING_DIR
    ledger = _Ledger(db, inodes)
    tasks = []
    for n, item in enumerate(todo):
        payload = {"plugin": manifest.id, "params": params, "path": str(item.path), "name": item.out_base + ext,
                   "staging": str(staging_root / str(n)), "rows": True}  # rows kept even with --table none
        tasks.append((n, PLUGIN_TASK, payload))
    show = sys.stderr.isatty() if opts.progress is None else opts.progress
    engine = bar = None
    finished = 0
    try:
        engine = _make_engine(opts, manifest, len(todo), err)  # inside: Ctrl-C while workers start is handled too
        summary.workers = engine.size
        bar = tqdm(total=len(todo), unit="file", desc=manifest.id, file=err, disable=not show, dynamic_ncols=True)
        for key, result in engine.run(tasks):
            item, staging = todo[key], Path(tasks[key][2]["staging"])
            with _deferred_interrupt():
                problem = _commit(ledger, db, out_dir, staging, item, result, manifest.id, params_json, ext)
                shutil.rmtree(staging, ignore_errors=True)
            finished += 1
            count = f"[{finished}/{len(todo)}]"
            for w in result.get("warnings", []):
                bar.write(f"warning: {item.rel}: {w}", file=err)
            if problem:
                summary.failed[item.rel] = problem
                bar.write(f"{count} {item.rel}: error: {problem}", file=err)
            else:
                summary.done.append(item.rel)
                bar.write(f"{count} {item.rel} -> {', '.join(result['files'])}", file=out)
                out.flush()  # one line per file, also through a pipe
            bar.update(1)
    except KeyboardInterrupt:
        summary.interrupted = True
        if engine is not None:
            engine.close(kill=True)
            engine = None
    finally:
        if bar is not None:
            bar.close()
        if engine is not None:
            engine.close()
    summary.not_run = len(todo) - len(summary.done) - len(summary.failed)


def _commit(ledger: _Ledger, db: JobDB, out_dir: Path, staging: Path, item: Item, result: dict, plugin: str,
            params_json: str, ext: str) -> str | None:
    """Record one finished file; returns the failure reason, or None when its result is in place."""
    prev = item.previous
    rec = Record(rel=item.rel, size=item.size, mtime_ns=item.mtime_ns, hash=item.hash, plugin=plugin,
                 params=params_json, format=ext, out_base=item.out_base, seconds=float(result.get("seconds", 0.0)),
                 outputs=list(prev.outputs) if prev else [])
    problem = result.get("error") if not result.get("ok") else ledger.problem(out_dir, item, result["files"])
    if problem:
        rec.status, rec.error = "failed", problem
        db.put(rec)
        return problem
    rec.rows = result.get("rows", {})
    ledger.commit(out_dir, staging, rec, result["files"])
    return None


def _print_summary(s: BatchSummary, err) -> None:
    parts = [f"{len(s.done)} done", f"{len(s.skipped)} skipped (done before)", f"{len(s.failed)} failed"]
    if s.interrupted:
        parts.append(f"{s.not_run} not run (interrupted)")
    how = f" on {s.workers} {s.engine} worker{'s' if s.workers != 1 else ''}" if s.workers else ""
    print(f"{', '.join(parts)} in {s.seconds:.1f} s{how}", file=err)
    for rel, why in s.failed.items():
        print(f"  failed: {rel}: {why}", file=err)
    for t in s.tables:
        print(f"collection table: {t}", file=err)
