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


def _verify(store: ModelStore, model_id: str | None, repair: bool = False) -> int:
    ids = [model_id] if model_id else [s.id for s in store if store.is_available(s.id)]
    bad = 0
    for mid in ids:
        checked, problems = store.verify_report(mid)
        if problems and repair and store.is_available(mid):
            _fetch(store, mid, repair=True)
            checked, problems = store.verify_report(mid)
        if problems:
            hint = f" {store.repair_hint(mid)}" if store.is_available(mid) else ""
            print(f"{mid}: damaged: {'; '.join(problems)}.{hint}")
        elif checked:
            print(f"{mid}: ok ({len(checked)} file{'s' if len(checked) != 1 else ''} checked)")
        else:  # nothing to compare with: saying "ok" would be a claim nobody checked
            print(f"{mid}: present, not checked (no checksum is recorded for it)")
        bad += bool(problems)
    return 1 if bad else 0


def _fetch(store: ModelStore, model_id: str, repair: bool = False) -> int:
    state = {"pct": -1}

    def show(fraction: float, text: str) -> None:
        pct = int(fraction * 100)
        if pct != state["pct"]:
            state["pct"] = pct
            end = "\n" if pct >= 100 else ""
            print(f"\r{model_id}: {pct:3d}% {text[:50]:50s}", end=end, file=sys.stderr, flush=True)

    damaged = repair and not (store.is_available(model_id) and not store.verify_report(model_id)[1])
    folder = store.repair(model_id, progress=show) if repair else store.fetch(model_id, progress=show)
    checked, problems = store.verify_report(model_id)
    if problems:
        print(f"{model_id}: present in {folder} but damaged: {'; '.join(problems)}. {store.repair_hint(model_id)}")
        return 1
    state = "repaired, " if damaged else ("nothing to repair, " if repair else "")
    print(f"{model_id}: {state}present in {folder}")
    spec = store.spec(model_id)
    unpublished = [f for f in spec.files if f not in spec.sha256]
    if unpublished and spec.download_urls():
        print(f"note: {', '.join(unpublished)} of {model_id} ha{'ve' if len(unpublished) > 1 else 's'} no published "
              "checksum: the first download was trusted; its sha256 is recorded now so later damage is caught",
              file=sys.stderr)
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
        return _verify(store, getattr(args, "model_id", None), getattr(args, "repair", False))
    if cmd == "fetch":
        return _fetch(store, args.model_id, getattr(args, "repair", False))
    if cmd == "import":
        return _import(store, args.model_id, args.path)
    raise WorkbenchError(f"Unknown command 'workbench models {cmd}'")
