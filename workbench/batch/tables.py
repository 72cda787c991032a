"""Collection tables: the table-like results of every file of a batch in one Parquet or CSV table per kind.

Workers turn each file's layers into plain rows (:func:`layer_rows`); the job database keeps them with the
file's record, so the tables always cover the whole collection, including files done in earlier runs.
Key, chord and speaker results arrive as segments or events layers and land in those tables; the summary table
has one row per file and layer with its scalar metadata (a global key, a tempo in BPM) and a curve's median.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from workbench.core.layers import Layer

from .plan import TABLE_KINDS, TABLE_PREFIX


def layer_rows(layers: list[Layer]) -> dict[str, list[dict]]:
    """kind -> rows (JSON-able dicts) for the table-like layers among ``layers``, and one ``summary`` row per
    layer: its scalar metadata (a global key, a tempo in BPM, the model) and, for curves, the median value."""
    out: dict[str, list[dict]] = {}
    for layer in layers:
        rows = _rows(layer)
        if rows is not None:
            out.setdefault(layer.kind, []).extend(rows)
        out.setdefault("summary", []).append(_summary(layer))
    return out


def _summary(layer: Layer) -> dict:
    row = {"layer": layer.name, "plugin": layer.source, "kind": layer.kind}
    for key, value in layer.metadata.items():
        if isinstance(value, (str, int, float, bool)) and key not in row and not key.startswith("jams"):
            row[key] = value
    if layer.kind == "curve":
        values = layer.values[np.isfinite(layer.values)]
        if layer.voiced is not None and len(layer.voiced) == len(layer.values):
            values = layer.values[layer.voiced & np.isfinite(layer.values)]
        row["median_value"] = float(np.median(values)) if len(values) else None
        row["unit"] = layer.unit
    return row


def _rows(layer: Layer) -> list[dict] | None:
    base = {"layer": layer.name, "plugin": layer.source}
    k = layer.kind
    if k == "tags":
        return [base | {"label": lab, "score": float(s)} for lab, s in zip(layer.labels, layer.scores)]
    if k == "events":
        return [base | {"start_s": float(a), "end_s": float(b), "label": lab, "confidence": float(c)}
                for a, b, lab, c in zip(layer.starts, layer.ends, layer.labels, layer.confidences)]
    if k in ("segments", "words"):
        return [base | {"start_s": float(a), "end_s": float(b), "text": t}
                for a, b, t in zip(layer.starts, layer.ends, layer.texts)]
    if k == "notes":
        return [base | {"onset_s": float(a), "offset_s": float(b), "pitch_midi": float(p), "velocity": float(v)}
                for a, b, p, v in zip(layer.onsets, layer.offsets, layer.pitches, layer.velocities)]
    return None


def table_format(requested: str) -> str | None:
    """'parquet', 'csv' or None (no tables) for ``--table auto|parquet|csv|none``."""
    if requested == "none":
        return None
    if requested in ("auto", "parquet"):
        try:
            import pyarrow  # noqa: F401

            return "parquet"
        except ImportError:
            if requested == "parquet":
                from workbench.core.errors import WorkbenchError

                raise WorkbenchError("Parquet tables need pyarrow (pip install pyarrow); or use --table csv") from None
            return "csv"
    return "csv"


def write_tables(out_dir: Path, per_file: dict[str, dict[str, list[dict]]], fmt: str) -> list[Path]:
    """Write ``collection.<kind>.<fmt>`` from {input rel: {kind: rows}}; each write is atomic."""
    import pandas as pd

    written = []
    for kind in TABLE_KINDS:
        rows = [{"file": rel} | row for rel, kinds in per_file.items() for row in kinds.get(kind, [])]
        files_with_kind = [rel for rel, kinds in per_file.items() if kind in kinds]
        if not files_with_kind:
            continue
        frame = pd.DataFrame(rows) if rows else pd.DataFrame({"file": pd.Series([], dtype=str)})
        for col in frame.columns:  # a metadata field that is a number for one plugin and text for another
            kinds = {type(v) for v in frame[col].dropna()}
            if len(kinds - {int, float}) and len(kinds) > 1:
                frame[col] = frame[col].map(lambda v: v if v is None or v != v else str(v))
        target = out_dir / f"{TABLE_PREFIX}{kind}.{fmt}"
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        if fmt == "parquet":
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        os.replace(tmp, target)
        written.append(target)
    return written
