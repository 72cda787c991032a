"""Plain-text tables for the command line."""

from __future__ import annotations


def print_table(rows: list[list[str]], header: list[str]) -> None:
    """Left-aligned columns separated by two spaces, with a dashed rule under the header."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for r in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip())
