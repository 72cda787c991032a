"""The Hybrid Demucs loading path (download-only model) with random weights of the real layout.

The real checkpoint cannot be downloaded here, so the test saves torchaudio's ``hdemucs_high`` with random weights
where a temporary model store keeps downloads, then runs the plugin: store lookup, ``weights_only`` loading into
the network the loader builds, chunked separation and the Tracks layer.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from workbench.core.audio import AudioBuffer
from workbench.core.errors import ModelUnavailableError
from workbench.core.models import ModelStore
from workbench.core.plugin_api import JobContext, run_process
from workbench_plugins.separation import online
from workbench_plugins.separation.manifest import MANIFEST
from workbench_plugins.separation.models import MODELS

RATE = 22050  # not Demucs' 44.1 kHz: the resampling in and out is on the path too


@pytest.fixture(scope="module")
def demucs_store(tmp_path_factory):
    """A model store whose download cache holds a random-weight ``hdemucs_high_trained.pt``; also the saved state."""
    import torchaudio.models as tm

    cache = tmp_path_factory.mktemp("models")
    (spec,) = [m for m in MODELS if m.id == online.DEMUCS_ID]
    folder = cache / online.DEMUCS_ID
    folder.mkdir()
    torch.manual_seed(0)
    state = tm.hdemucs_high(sources=list(online.DEMUCS_SOURCES)).state_dict()
    torch.save(state, folder / spec.files[0])
    return ModelStore(MODELS, cache_dir=cache), state


def test_missing_weights_name_the_fetch_command(tmp_path):
    store = ModelStore(MODELS, cache_dir=tmp_path)
    with pytest.raises(ModelUnavailableError, match=online.DEMUCS_ID):
        online.load_online(online.DEMUCS_ID, JobContext(models=store))


def test_loader_reads_the_stored_weights(demucs_store):
    store, state = demucs_store
    assert store.locate(online.DEMUCS_ID)[1] == "cache"
    torch.manual_seed(1)  # a different init: equality below means the file's weights were loaded
    net = online.load_online(online.DEMUCS_ID, JobContext(models=store))
    loaded = net.state_dict()
    assert loaded.keys() == state.keys()
    assert all(torch.equal(loaded[k], state[k]) for k in state)
    assert not net.training


def test_plugin_separates_into_four_stems_of_the_input_shape(demucs_store):
    store, _ = demucs_store
    t = np.arange(int(1.0 * RATE)) / RATE
    mix = np.stack([0.3 * np.sin(2 * np.pi * 220 * t), 0.2 * np.sign(np.sin(2 * np.pi * 3 * t))]).astype(np.float32)
    (layer,) = run_process(MANIFEST, AudioBuffer(mix, RATE, name="mix"), {"model": online.DEMUCS_ID},
                           JobContext(models=store))
    assert layer.metadata["model"] == online.DEMUCS_ID
    assert sorted(layer.tracks) == sorted(online.DEMUCS_SOURCES)
    for name, buf in layer.tracks.items():
        assert buf.sample_rate == RATE and buf.samples.shape == mix.shape, name
        assert np.all(np.isfinite(buf.samples)) and float(np.std(buf.samples)) > 0, name
    # Demucs runs on the mixture normalised by its mean and std and the stems are scaled back: with any weights,
    # half the input gives half the stems
    (half,) = run_process(MANIFEST, AudioBuffer(0.5 * mix, RATE), {"model": online.DEMUCS_ID},
                          JobContext(models=store))
    for name, buf in layer.tracks.items():
        np.testing.assert_allclose(half.tracks[name].samples, 0.5 * buf.samples, atol=1e-4, err_msg=name)
