"""Live sound events: the manifest's LiveProcessor fed 0.5 s hops of a street scene finds the siren and the horn
while the audio comes in, with onsets within 0.25 s."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.contributions import resolve
from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Events

RATE = 16000


@pytest.fixture(scope="module")
def street():
    """13 s of traffic with a siren at 0 dB and a car horn 3 dB over the traffic (the generated scenes put both
    0-6 dB over it; the file plugin's test holds a horn at 0 dB)."""
    from workbench_plugins.sed import soundscapes as sc

    rng = np.random.default_rng(11)
    x = sc.traffic(rng, 13 * RATE)
    bg = sc._rms(x)
    siren = sc._place(x, sc.siren(np.random.default_rng(5), 3.5), 1.7, 0.0, bg)
    horn = sc._place(x, sc.horn(np.random.default_rng(6), 1.0), 8.3, 3.0, bg)
    return (x / np.abs(x).max() * 0.5).astype(np.float32), siren, horn


def _spans(layer: Events, label: str):
    return [(a, b) for a, b, lab in zip(layer.starts, layer.ends, layer.labels) if lab == label]


def test_manifest_declares_the_live_processor():
    from workbench_plugins.sed.manifest import MANIFEST

    assert set(MANIFEST.requires) == {"audioset", "vad"}
    live = MANIFEST.live[0]
    assert (live.id, live.hop_s) == ("sed", 0.5) and live.title == "Sound events (street)"
    assert callable(resolve(live.factory))
    assert "street" in MANIFEST.param("preset").choices


def test_live_events_update_every_hop_and_find_onsets(street, job):
    from workbench_plugins.sed.manifest import MANIFEST

    x, siren, horn = street
    proc = resolve(MANIFEST.live[0].factory)(dict(MANIFEST.live[0].params), job())
    assert proc.sample_rate == RATE
    hop, t0 = int(0.5 * RATE), 100.0  # the stream's clock does not start at 0
    seen_siren_at = None
    for k in range(0, len(x), hop):
        layers = proc.push(x[k:k + hop], t0 + k / RATE)
        assert len(layers) == 1 and isinstance(layers[0], Events)  # an update every 0.5 s hop
        now = (k + hop) / RATE
        if seen_siren_at is None and _spans(layers[0], "Siren"):
            seen_siren_at = now
    final = proc.flush()[0]
    assert seen_siren_at is not None and seen_siren_at <= siren[0] + 2.0, seen_siren_at  # found while it sounds
    for label, truth in (("Siren", siren), ("Car horn", horn)):
        spans = [(a - t0, b - t0) for a, b in _spans(final, label)]
        assert spans and min(abs(a - truth[0]) for a, _ in spans) <= 0.25, (label, spans, truth)
    assert final.metadata["live"] and final.metadata["preset"] == "street"


def test_live_needs_a_preset(job):
    from workbench_plugins.sed.streaming import make_processor

    with pytest.raises(InvalidParameterError, match="preset"):
        make_processor({"preset": "top classes"}, job())


def test_every_preset_is_offered_live_and_runs():
    import numpy as np

    from workbench.live.live_plugins import live_offers, make_processor

    offers = {o.id: o for o in live_offers() if o.plugin.id == "sed"}
    assert {o.processor.params["preset"] for o in offers.values()} == {"street", "domestic", "speech activity"}
    for pid in offers:
        proc = make_processor(pid, device="cpu")
        x = 0.01 * np.random.default_rng(0).standard_normal(proc.sample_rate // 2).astype(np.float32)
        layers = proc.push(x, 0.0)
        assert all(layer.kind == "events" for layer in layers)
