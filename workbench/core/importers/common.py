"""Shared helpers of the annotation readers: file text with clear errors, default layer name and provenance."""

from __future__ import annotations

from pathlib import Path

from ..errors import WorkbenchError


def read_text(path: Path) -> str:
    """The file as text (UTF-8, with or without a byte-order mark)."""
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise WorkbenchError(f"'{Path(path).name}' is not a UTF-8 text file") from None
    except OSError as exc:
        raise WorkbenchError(f"Cannot read '{path}': {exc.strerror or exc}") from None


def base_kwargs(path: Path, name: str = "") -> dict:
    """Layer keyword arguments for a layer read from ``path``: its name and where it came from."""
    path = Path(path)
    return {"name": name or path.stem, "source": "import",
            "metadata": {"imported_from": path.name, "format": path.suffix.lower()}}
