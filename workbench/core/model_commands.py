"""`workbench models ...`: list, fetch, import, verify (no Qt)."""

from __future__ import annotations

from .errors import WorkbenchError
from .models import default_store


def run(args) -> int:
    store = default_store()
    cmd = args.models_command or "list"
    if cmd == "list":
        rows = []
        for s in store:
            folder, where = store.locate(s.id)
            rows.append([s.id, s.task, f"{s.size_mb:.1f} MB", s.licence, where or "missing", ", ".join(s.used_by)])
        from ..cli_commands import _print_table

        _print_table(rows, ["model", "task", "size", "licence", "found in", "used by"])
        return 0
    if cmd == "verify":
        ids = [args.model_id] if args.model_id else [s.id for s in store if store.is_available(s.id)]
        bad = 0
        for mid in ids:
            problems = store.verify(mid)
            print(f"{mid}: {'ok' if not problems else '; '.join(problems)}")
            bad += bool(problems)
        return 1 if bad else 0
    raise WorkbenchError(f"'workbench models {cmd}' is not available yet")
