"""The pitch plugin with its real models on made-up audio whose f0 is known: glides, a fluidsynth melody,
chunk borders, parameters and a missing model."""

from __future__ import annotations

import mir_eval
import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError, ModelUnavailableError
from workbench.core.models import ModelStore, ModelSpec
from workbench.core.params import resolve_params
from workbench.core.plugin_api import JobContext
from workbench_plugins.pitch import plugin
from workbench_plugins.pitch.estimators import load_estimator
from workbench_plugins.pitch.manifest import MANIFEST

from . import synth


def params(**given) -> dict:
    return resolve_params(MANIFEST.params, given)


def accuracy(curve, ref_times, ref_f0) -> float:
    """mir_eval raw pitch accuracy (50 cents) on the reference's voiced frames; a frame the plugin marks
    unvoiced counts as wrong."""
    rv, rc, ev, ec = mir_eval.melody.to_cent_voicing(ref_times, ref_f0, curve.times, curve.values)
    return mir_eval.melody.raw_pitch_accuracy(rv, rc, ev, ec)


def test_fcpe_follows_a_harmonic_glide(ctx):
    sr = 44100  # not the model's rate: the plugin resamples
    x, f0 = synth.glide(150.0, 400.0, 3.0, sr, harmonics=6)
    (curve,) = plugin.process(AudioBuffer(x, sr), params(), ctx)
    assert curve.unit == "Hz" and curve.name == "f0"
    np.testing.assert_allclose(curve.times, np.arange(len(curve.times)) * 0.01, atol=1e-9)
    assert abs(curve.times[-1] - 3.0) < 0.02
    assert curve.confidence.shape == curve.voiced.shape == curve.values.shape
    ref_t = np.arange(0.0, 3.0, 0.01)
    ref_f = np.interp(ref_t, np.arange(len(f0)) / sr, f0)
    assert accuracy(curve, ref_t, ref_f) >= 0.95
    assert ctx.reports[-1][0] == 1.0


def test_crepe_tiny_follows_a_harmonic_glide(ctx):
    sr = 16000
    x, f0 = synth.glide(220.0, 500.0, 2.0, sr, harmonics=5)
    (curve,) = plugin.process(AudioBuffer(x, sr), params(model="crepe-tiny"), ctx)
    ref_t = np.arange(0.0, 2.0, 0.01)
    ref_f = np.interp(ref_t, np.arange(len(f0)) / sr, f0)
    assert accuracy(curve, ref_t, ref_f) >= 0.95


@pytest.fixture(scope="module")
def violin():
    """A violin melody over an octave and a half rendered by fluidsynth, with its notes."""
    notes = synth.melody([55, 62, 67, 71, 76, 79, 72, 64], note_s=0.4, gap_s=0.05)
    samples, sr = synth.render_notes(notes, synth.VIOLIN, sr=22050)
    return AudioBuffer(samples, sr), notes


@pytest.mark.parametrize("model", ["fcpe", "crepe-tiny"])
def test_fluidsynth_violin_melody_within_50_cents(ctx, violin, model):
    audio, notes = violin
    (curve,) = plugin.process(audio, params(model=model), ctx)
    ref_t = np.arange(0.0, audio.duration, 0.01)
    ref_f = synth.f0_truth(notes, ref_t)  # attacks and releases left out
    assert np.sum(ref_f > 0) > 200
    assert accuracy(curve, ref_t, ref_f) >= 0.95
    before_first_note = curve.times < notes[0].onset - 0.05
    assert not curve.voiced[before_first_note].any()  # silence is unvoiced ...
    assert np.all(curve.values[~curve.voiced] == 0)  # ... with value 0


def test_chunked_f0_matches_unchunked_near_chunk_borders(ctx):
    sr = 22050
    seconds = 9.0
    t = np.arange(int(seconds * sr)) / sr
    f0 = 200.0 * 2 ** ((250 * np.sin(2 * np.pi * 0.37 * t) + 50 * np.sin(2 * np.pi * 5.5 * t)) / 1200)
    x = synth.harmonic_tone(f0, sr) * (np.sin(2 * np.pi * 0.23 * t) > -0.8)  # with some silences
    p = params()
    est = load_estimator("fcpe", ctx, 160)
    chunk_s = 3.0  # shorter than the plugin's chunks, for more borders in a short test signal
    times, chunked, conf_c = plugin.track(x, sr, est, p, ctx, chunk_s=chunk_s, overlap_s=plugin.CHUNK_OVERLAP_S)
    chunk_reports = {text for _, text in ctx.reports if text.startswith("pitch ")}
    assert len(chunk_reports) >= 3  # really several chunks
    _, whole, conf_w = plugin.track(x, sr, est, p, JobContext(models=ctx.models, device=ctx.device),
                                    chunk_s=100.0)
    assert len(chunked) == len(whole) == int(seconds * 100)  # 10 ms frames from 0 s to just before the end
    step = chunk_s - plugin.CHUNK_OVERLAP_S
    borders = step * np.arange(1, int(seconds / step) + 1) + plugin.CHUNK_OVERLAP_S / 2
    near = np.min(np.abs(times[:, None] - borders[None, :]), axis=1) < 0.5
    voiced = conf_w >= p["threshold"]
    sel = near & voiced
    assert sel.sum() > 100
    cents = 1200 * np.abs(np.log2(chunked[sel] / whole[sel]))
    assert cents.max() < 5.0
    assert np.array_equal(conf_c[near] >= p["threshold"], voiced[near])


def test_hop_and_frequency_range_parameters(ctx):
    sr = 16000
    tone = synth.harmonic_tone(np.full(sr, 220.0), sr)
    (c20,) = plugin.process(AudioBuffer(tone, sr), params(hop_ms=20.0), ctx)
    np.testing.assert_allclose(np.diff(c20.times), 0.02, atol=1e-9)
    assert np.median(c20.values[c20.voiced]) == pytest.approx(220.0, rel=0.01)
    (crepe20,) = plugin.process(AudioBuffer(tone, sr), params(model="crepe-tiny", hop_ms=20.0), ctx)
    np.testing.assert_allclose(np.diff(crepe20.times), 0.02, atol=1e-9)
    (high,) = plugin.process(AudioBuffer(tone, sr), params(fmin=300.0, fmax=1000.0), ctx)
    assert np.all((high.values[high.voiced] >= 300.0) & (high.values[high.voiced] <= 1000.0))
    assert high.voiced.mean() < 0.5 * c20.voiced.mean()  # nothing like a 220 Hz answer when 220 Hz is excluded
    with pytest.raises(InvalidParameterError, match="fmin"):
        plugin.process(AudioBuffer(tone, sr), params(fmin=500.0, fmax=400.0), ctx)


def test_missing_model_is_a_clear_error(device):
    spec = ModelSpec(id="torchfcpe", task="pitch", name="FCPE pitch estimator", licence="MIT",
                     files=("fcpe_c_v001.pt",), package="no_such_package_here", package_path="assets",
                     pip_name="torchfcpe==0.0.4")
    import tempfile

    with tempfile.TemporaryDirectory() as empty_cache:
        ctx = JobContext(device=device, models=ModelStore([spec], cache_dir=empty_cache))
        audio = AudioBuffer(np.zeros(16000, np.float32), 16000)
        with pytest.raises(ModelUnavailableError, match=r"torchfcpe.*pip install torchfcpe"):
            plugin.process(audio, params(), ctx)


def test_short_depthwise_sums_equal_the_convolution():
    import torch

    from workbench_plugins.pitch.estimators import SHORT_FRAMES, _ShortDepthwise

    torch.manual_seed(0)
    conv = torch.nn.Conv1d(64, 64, 31, padding=15, groups=64)
    short = _ShortDepthwise(conv)
    with torch.inference_mode():
        for frames in (1, 10, SHORT_FRAMES, SHORT_FRAMES + 40):  # the hand-summed path and the library's
            x = torch.randn(1, 64, frames)
            torch.testing.assert_close(short(x), conv(x), atol=1e-5, rtol=1e-5)


def test_live_int8_estimator_keeps_the_f0_and_leaves_the_file_model_alone(ctx):
    import torch

    estimator = load_estimator("fcpe", ctx, 160)
    live = estimator.int8_linears()
    assert live is not estimator and estimator.int8_linears() is live  # made once, then reused
    linears = [m for m in estimator.model.modules() if isinstance(m, torch.nn.Linear)]
    assert linears and all(m.weight.dtype == torch.float32 for m in linears)  # the file model stays float
    assert not any(isinstance(m, torch.nn.Linear) for m in live.model.modules())  # all quantised
    x, _ = synth.glide(150.0, 400.0, 1.0, 16000, harmonics=6)
    f_ref, c_ref = estimator.estimate(x, 50.0, 1100.0)
    f_live, c_live = live.estimate(x, 50.0, 1100.0)
    both = (c_ref > 0.5) & (c_live > 0.5)
    assert both.mean() > 0.9
    assert np.percentile(np.abs(1200 * np.log2(f_live[both] / f_ref[both])), 95) < 10
    # What a live push sees: ~10 frames, through the hand-summed depthwise path.
    short = x[4000:4000 + 1600]
    assert np.allclose(estimator.estimate(short, 50.0, 1100.0)[0][2:-2], f_ref[27:34], rtol=0.02)
