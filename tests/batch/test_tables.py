"""Collection tables from real layer types: rows per kind, a summary row per layer, Parquet and CSV round trips."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.batch.tables import layer_rows, write_tables
from workbench.core.layers import Curve, Events, Segments, Tags


def _song_layers(bpm: float, key: str, version=1) -> list:
    t = np.arange(0, 10, 0.5)
    return [Curve(name="tempo", source="beats", times=t, values=np.full(len(t), bpm), unit="BPM",
                  metadata={"bpm": bpm, "model": "dbn", "params": {"x": 1}, "version": version}),
            Segments(name="key", source="key", starts=[0.0], ends=[10.0], texts=[key],
                     metadata={"global_key": key}),
            Tags(name="tags", source="tagging", labels=["rock", "jazz"], scores=[0.9, 0.1]),
            Events(name="speakers", source="diarization", starts=[0.0, 4.0], ends=[3.5, 9.0],
                   labels=["speaker 1", "speaker 2"])]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_one_table_per_kind_over_the_collection(tmp_path, fmt):
    per_file = {"a/song.wav": layer_rows(_song_layers(120.0, "A minor")),
                "b.mp3": layer_rows(_song_layers(96.5, "C major", version="1b"))}  # a number here, text there
    written = write_tables(tmp_path, per_file, fmt)
    assert {p.name for p in written} == {f"collection.{k}.{fmt}" for k in ("summary", "tags", "events", "segments")}
    read = pd.read_parquet if fmt == "parquet" else pd.read_csv
    summary = read(tmp_path / f"collection.summary.{fmt}").set_index(["file", "layer"])
    assert summary.loc[("a/song.wav", "tempo"), "bpm"] == 120.0
    assert summary.loc[("b.mp3", "tempo"), "median_value"] == 96.5
    assert summary.loc[("b.mp3", "key"), "global_key"] == "C major"
    assert "params" not in summary.columns  # dicts are not table cells
    assert str(summary.loc[("b.mp3", "tempo"), "version"]) == "1b"
    events = read(tmp_path / f"collection.events.{fmt}")
    assert list(events[events.file == "b.mp3"].label) == ["speaker 1", "speaker 2"]
    tags = read(tmp_path / f"collection.tags.{fmt}")
    assert tags[(tags.file == "a/song.wav") & (tags.label == "rock")].score.item() == pytest.approx(0.9)
