"""Layer edits: each returns a new layer, leaves the old one untouched, marks the result as edited and keeps
its provenance."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core import layer_edit as E
from workbench.core.errors import WorkbenchError


def test_span_add_relabel_resize_move_delete(sample_layers):
    ev = sample_layers["events"]
    before = (ev.starts.copy(), list(ev.labels))
    a = E.add_span(ev, 0.7, 0.8, "door")
    assert list(a.labels) == ["speech", "door", "music, loud"] and list(a.starts) == [0.1, 0.7, 0.9]
    assert a.confidences[1] == 1.0 and a.id == ev.id
    assert (ev.starts == before[0]).all() and ev.labels == before[1]  # the original is untouched (undo)
    b = E.relabel(a, 1, "knock")
    assert b.labels[1] == "knock" and a.labels[1] == "door"
    c = E.set_bounds(b, 1, 0.65, 0.85)
    assert (c.starts[1], c.ends[1]) == (0.65, 0.85)
    d = E.move_items(c, E.items_in(c, 0.7), dt=-1.0)  # cannot go before the file's start
    assert d.starts[1] == 0.0 and d.ends[1] == pytest.approx(0.2)
    e = E.delete_items(d, E.items_in(d, 0.0, 0.3))
    assert list(e.labels) == ["music, loud"]
    assert e.name == "vad (edited)" and e.source == "vad" and e.metadata["edited"] is True
    assert len(e.metadata["edits"]) == 5 and "edits" not in ev.metadata


def test_words_and_notes(sample_layers):
    w = E.relabel(sample_layers["words"], 0, "Hullo,")
    assert w.kind == "words" and w.texts[0] == "Hullo," and len(w.confidences) == 3
    n = sample_layers["notes"]
    m = E.add_note(n, 2.4, 2.6, 72)
    assert len(m) == 5 and m.pitches[-1] == 72 and m.velocities[-1] == 100
    up = E.move_items(m, [0], semitones=1)
    assert up.pitches[0] == 61 and up.onsets[0] == n.onsets[0]
    with pytest.raises(WorkbenchError, match="0..127"):
        E.add_note(n, 0, 1, 200)


def test_f0_erase_draw_and_octave(sample_layers):
    f0 = sample_layers["curve"]
    sel = (f0.times >= 0.5) & (f0.times <= 0.7)
    low = E.shift_octave(f0, 0.5, 0.7, -1)
    np.testing.assert_allclose(low.values[sel], f0.values[sel] / 2)
    np.testing.assert_array_equal(low.values[~sel], f0.values[~sel])
    gone = E.erase_curve(low, 0.5, 0.7)
    assert not gone.voiced[sel].any() and (gone.values[sel] == 0).all()
    assert gone.voiced[~sel].sum() == f0.voiced[~sel].sum()
    drawn = E.draw_curve(gone, 0.5, 0.7, 200.0, 400.0)
    assert drawn.voiced[sel].all() and drawn.values[sel][0] == pytest.approx(200) and \
        drawn.values[sel][-1] == pytest.approx(400)
    mid = drawn.values[sel][len(drawn.values[sel]) // 2]
    assert mid == pytest.approx(200 * np.sqrt(2), rel=0.05)  # a straight line in pitch, not in Hz
    assert drawn.metadata["model"] == "fcpe" and drawn.name == "f0 (edited)"
    with pytest.raises(WorkbenchError, match="Select a time span"):
        E.erase_curve(f0, 0.7, 0.5)
    with pytest.raises(WorkbenchError, match="No voiced frame"):
        E.shift_octave(f0, 0.0, 0.2, 1)


def test_nothing_to_delete_is_a_clear_error(sample_layers):
    with pytest.raises(WorkbenchError, match="Nothing to delete"):
        E.delete_items(sample_layers["events"], [])
