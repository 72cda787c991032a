"""Monitor processors contributed by plugins (their audio is played back): the host routes what they make to the
output player whichever way the plugin returns it (an ``on_output`` callback, or audio returned by ``push``)."""

from __future__ import annotations

import numpy as np

from workbench.live.live_plugins import live_offers, make_processor


def _noisy_voice(rate: int, seconds: float = 1.0) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    voice = sum(0.2 / k * np.sin(2 * np.pi * 160 * k * t) for k in range(1, 10)) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t))
    return (voice + 0.05 * np.random.default_rng(1).standard_normal(len(t))).astype(np.float32)


def test_every_monitor_offer_sends_its_audio_to_the_player():
    monitors = [o for o in live_offers() if o.processor.monitor]
    assert {"separation", "enhance"} <= {o.id for o in monitors}
    for offer in monitors:
        proc = make_processor(offer.id, device="cpu")
        heard = []
        proc.on_output = lambda block, t0: heard.append(np.asarray(block))
        x = _noisy_voice(proc.sample_rate, 2.5)
        hop = int(offer.processor.hop_s * proc.sample_rate)
        for i in range(0, len(x), hop):
            assert proc.push(x[i:i + hop], i / proc.sample_rate) == []  # layers: none; audio goes to the player
        proc.flush()
        out = np.concatenate(heard) if heard else np.zeros(0)
        assert len(out) > 0.8 * len(x) * proc.output_rate / proc.sample_rate, offer.id
        assert np.isfinite(out).all() and np.abs(out).max() > 0.01, offer.id
        assert 0 < proc.added_latency < 2.0, offer.id
