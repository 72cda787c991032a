"""`workbench models ...`: list, fetch, import, verify (no Qt)."""

from __future__ import annotations

import sys

from .table import print_table
from workbench.core.errors import WorkbenchError
from workbench.core.models import ModelStore, default_store


def _list(store: ModelStore) -> int:
    rows = []
    for s in store:
        folder, where = store.locate(s.id)
        rows.append([s.id, s.task, f"{s.size_mb:.1f} MB", s.licence, where or "missing", s.source,
                     ", ".join(s.used_by)])
    print_table(rows, ["model", "task", "size", "licence", "found in", "source", "used by"])
    return 0


def _verify(store: ModelStore, model_id: str | None) -> int:
    ids = [model_id] if model_id else [s.id for s in store if store.is_available(s.id)]
    bad = 0
    for mid in ids:
        problems = store.verify(mid)
        print(f"{mid}: {'ok' if not problems else '; '.join(problems)}")
        bad += bool(problems)
    return 1 if bad else 0


def _fetch(store: ModelStore, model_id: str) -> int:
    state = {"pct": -1}

    def show(fraction: float, text: str) -> None:
        pct = int(fraction * 100)
        if pct != state["pct"]:
            state["pct"] = pct
            end = "\n" if pct >= 100 else ""
            print(f"\r{model_id}: {pct:3d}% {text[:50]:50s}", end=end, file=sys.stderr, flush=True)

    folder = store.fetch(model_id, progress=show)
    print(f"{model_id}: present in {folder}")
    return 0


def _import(store: ModelStore, model_id: str, path: str) -> int:
    folder = store.import_model(model_id, path)
    print(f"{model_id}: imported, now used from {folder}")
    return 0


def run(args, store: ModelStore | None = None) -> int:
    store = store or default_store()
    cmd = args.models_command or "list"
    if cmd == "list":
        return _list(store)
    if cmd == "verify":
        return _verify(store, getattr(args, "model_id", None))
    if cmd == "fetch":
        return _fetch(store, args.model_id)
    if cmd == "import":
        return _import(store, args.model_id, args.path)
    raise WorkbenchError(f"Unknown command 'workbench models {cmd}'")
