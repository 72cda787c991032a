"""Sound events as they arrive: the file plugin hands out the events found so far (``ctx.emit``) while YAMNet
works through a long file, and a cancelled run keeps what it had handed out."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.errors import JobCancelled
from workbench.core.layers import Events

RATE = 16000


@pytest.fixture(scope="module")
def street() -> tuple[np.ndarray, tuple[float, float]]:
    """24 s of traffic-like noise with a wailing siren early on (2-6 s)."""
    from workbench_plugins.sed import soundscapes as sc

    x = sc.traffic(np.random.default_rng(21), 24 * RATE)
    siren = sc._place(x, sc.siren(np.random.default_rng(22), 4.0, "wail"), 2.0, 3.0, sc._rms(x))
    return (x / np.abs(x).max() * 0.5).astype(np.float32), siren


@pytest.fixture
def small_blocks(monkeypatch):
    from workbench_plugins.sed import plugin

    monkeypatch.setattr(plugin, "EMIT_WINDOWS", 64)  # a partial result every 7.7 s of audio at the 0.12 s hop
    return plugin


def test_partial_events_are_emitted_while_it_runs(small_blocks, street, job):
    x, siren = street
    partial: list[list] = []
    final = small_blocks.process(AudioBuffer(x, RATE), {"preset": "street"}, job(on_emit=partial.append))[0]
    assert len(partial) >= 2, "no partial results were handed out"
    covered = [layers[0].metadata["covered_s"] for layers in partial]
    assert covered == sorted(covered) and covered[-1] < 24.0
    for layers in partial:
        (layer,) = layers
        assert isinstance(layer, Events) and layer.metadata["partial"] is True
        assert all(b <= layer.metadata["covered_s"] + 1e-6 for b in layer.ends)  # nothing past the scored audio
    assert "partial" not in final.metadata
    # the siren (2-6 s) is in the first partial result already
    first = partial[0][0]
    assert any(lab == "Siren" and a < siren[1] and b > siren[0] for a, b, lab in zip(first.starts, first.ends, first.labels))


def test_partial_scores_equal_one_pass(small_blocks, street, job):
    from workbench_plugins.audioset.yamnet import frame_scores
    from workbench_plugins.sed.decoding import setup

    x, _ = street
    ctx = job()
    s = setup({"preset": "street"}, ctx)
    model, blocks = small_blocks.scores_in_blocks(x, s, ctx)
    _, whole = frame_scores(model, x, RATE, hop_frames=s.hop_frames)
    assert blocks.shape == whole.shape and np.array_equal(blocks, whole)


def test_cancel_keeps_what_was_emitted(small_blocks, street, job):
    x, _ = street
    partial: list[list] = []
    ctx = job()

    def on_emit(layers):
        partial.append(layers)
        ctx.cancel()  # the user cancels once the first events are shown

    ctx.on_emit = on_emit
    with pytest.raises(JobCancelled):
        small_blocks.process(AudioBuffer(x, RATE), {"preset": "street"}, ctx)
    assert len(partial) == 1 and isinstance(partial[0][0], Events)
