"""DDSP synthesisers, training path (a few steps), save/load round trip and cancellation."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from workbench.core.errors import JobCancelled, WorkbenchError
from workbench_plugins.ddsp.loss import multiscale_spectral_loss
from workbench_plugins.ddsp.model import DDSP, DDSPConfig, load_model, save_model
from workbench_plugins.ddsp.synth import Reverb, filtered_noise, harmonic_synth

SR, HOP = 16000, 160


def _peak_hz(y: np.ndarray) -> float:
    spec = np.abs(np.fft.rfft(y * np.hanning(len(y))))
    return float(np.fft.rfftfreq(len(y), 1 / SR)[np.argmax(spec)])


def test_harmonic_synth_plays_f0_and_drops_harmonics_above_nyquist():
    t = 100
    f0 = torch.full((1, t), 440.0)
    amp = torch.full((1, t, 1), 0.5)
    one = torch.zeros(1, t, 4)
    one[..., 0] = 1.0
    y = harmonic_synth(f0, amp, one, HOP, SR)[0].numpy()
    assert y.shape == (t * HOP,)
    assert abs(_peak_hz(y) - 440.0) < 3.0
    # f0 = 5 kHz: only the fundamental is below 8 kHz; the 2nd harmonic (10 kHz) must not alias to 6 kHz
    flat = torch.ones(1, t, 4) / 4
    y = harmonic_synth(torch.full((1, t), 5000.0), amp, flat, HOP, SR)[0].numpy()
    spec = np.abs(np.fft.rfft(y))
    freqs = np.fft.rfftfreq(len(y), 1 / SR)
    assert spec[np.abs(freqs - 6000) < 50].max() < 1e-3 * spec.max()
    assert abs(_peak_hz(y) - 5000.0) < 3.0


def test_phase_continues_across_blocks():
    f0 = torch.full((1, 40), 300.0)
    amp, dist = torch.full((1, 40, 1), 0.5), torch.ones(1, 40, 3) / 3
    whole = harmonic_synth(f0, amp, dist, HOP, SR)
    a, ph = harmonic_synth(f0[:, :20], amp[:, :20], dist[:, :20], HOP, SR, return_phase=True)
    b = harmonic_synth(f0[:, 20:], amp[:, 20:], dist[:, 20:], HOP, SR, phase0=ph)
    assert torch.allclose(torch.cat([a, b], 1), whole, atol=1e-3)


def test_filtered_noise_follows_its_filter():
    torch.manual_seed(0)
    mags = torch.zeros(1, 50, 33)
    mags[..., :8] = 1.0  # low-pass: the lowest quarter of the band
    y = filtered_noise(mags, HOP)[0].numpy()
    spec = np.abs(np.fft.rfft(y)) ** 2
    freqs = np.fft.rfftfreq(len(y), 1 / SR)
    assert spec[freqs < 1500].mean() > 30 * spec[freqs > 4000].mean()


def test_reverb_keeps_the_dry_path():
    rev = Reverb(800, SR)
    x = torch.zeros(1, 2000)
    x[0, 0] = 1.0
    y = rev(x)
    assert y.shape == x.shape and abs(float(y[0, 0].detach()) - 1.0) < 1e-5


def test_multiscale_loss_is_zero_for_identical_and_grows_with_difference():
    x = torch.randn(2, 8000)
    assert float(multiscale_spectral_loss(x, x)) < 1e-6
    assert float(multiscale_spectral_loss(x, x * 0.5)) < float(multiscale_spectral_loss(x, torch.randn(2, 8000)))


@pytest.fixture(scope="module")
def melody(tmp_path_factory):
    from workbench_plugins.ddsp.midi_render import render_melody

    return render_melody("flute", 3, 7.0, tmp_path_factory.mktemp("tr") / "flute.wav", 62, 84)


def test_training_runs_reports_losses_saves_and_loads(melody, tmp_path):
    from workbench_plugins.ddsp.train import train_timbre

    seen = []
    res = train_timbre(melody, 16000, name="tiny", steps=4, batch=2, holdout=0.35,
                       config=DDSPConfig(hidden=16, n_harmonics=8, noise_bands=9, reverb_s=0.05),
                       on_step=lambda s, n, loss: seen.append((s, n, loss)))
    assert [s for s, _, _ in seen] == [1, 2, 3, 4] and all(np.isfinite(l) for _, _, l in seen)
    assert np.isfinite(res.heldout_loss) and res.model.config.training["steps"] == 4
    w, cfg = save_model(res.model, tmp_path / "ddsp_tiny")
    assert w.suffix == ".safetensors" and cfg.suffix == ".json"
    again = load_model(w)
    f0, ld = torch.full((1, 30), 330.0), torch.full((1, 30), -25.0)
    torch.manual_seed(1)
    a = res.model(f0, ld)
    torch.manual_seed(1)
    b = again(f0, ld)
    assert torch.allclose(a, b, atol=1e-5)


def test_trained_violin_beats_an_untrained_model_on_heldout_notes(tmp_path):
    """The shipped model's multi-scale loss on violin notes it never saw is well below an untrained model's."""
    from workbench_plugins.ddsp.midi_render import render_melody
    from workbench_plugins.ddsp.timbres import available_timbres
    from workbench_plugins.ddsp.train import analyse, evaluate

    paths = available_timbres()
    assert "violin" in paths
    trained = load_model(paths["violin"])
    y = render_melody("violin", 99, 5.0, tmp_path / "v.wav", 60, 84)
    feat = analyse(y, 16000)
    torch.manual_seed(0)
    untrained = DDSP(trained.config).eval()
    lt, lu = evaluate(trained, feat), evaluate(untrained, feat)
    print(f"held-out multi-scale spectral loss: trained {lt:.3f}, untrained {lu:.3f}")
    assert lt < 0.8 * lu


def test_training_can_be_cancelled_and_rejects_short_input(melody):
    from workbench_plugins.ddsp.train import train_timbre

    calls = []
    with pytest.raises(JobCancelled):
        train_timbre(melody, 16000, steps=50, batch=2, config=DDSPConfig(hidden=16, n_harmonics=8, noise_bands=9),
                     on_step=lambda s, n, l: calls.append(s), cancelled=lambda: len(calls) >= 2)
    assert len(calls) == 2
    with pytest.raises(WorkbenchError, match="too short"):
        train_timbre(melody[:16000], 16000, steps=1)
