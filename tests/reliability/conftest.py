"""The reliability battery: bad files, bad parameters and injected faults (full disk, read-only disk, a stalled
server, concurrent processes). Each case checks that no user file is lost or overwritten and that the user gets
one clear line. The number of cases is printed at the end of the run ("reliability battery: N cases ...")."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

HERE = Path(__file__).parent
_outcomes: dict[str, str] = {}


def _ours(nodeid: str) -> bool:
    return "tests/reliability/" in nodeid.replace("\\", "/")


def pytest_runtest_logreport(report):
    if _ours(report.nodeid) and (report.when == "call" or report.outcome != "passed"):
        # a setup error or skip counts too; the call phase decides for the rest
        if report.when == "call" or report.nodeid not in _outcomes:
            _outcomes[report.nodeid] = report.outcome


def pytest_terminal_summary(terminalreporter):
    if not _outcomes:
        return
    counts = {k: list(_outcomes.values()).count(k) for k in ("passed", "failed", "skipped")}
    terminalreporter.write_line(
        f"reliability battery: {len(_outcomes)} cases, {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped")
