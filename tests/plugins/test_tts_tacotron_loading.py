"""The Tacotron2 + WaveRNN loading path, checked with checkpoints made here (the real ones need a download).

Builds checkpoints with torchaudio's own model classes (random weights, same layout as the files the
TACOTRON2_WAVERNN_CHAR_LJSPEECH bundle downloads), imports them and loads them through the plugin code.
Synthesis itself is not run: random weights never emit the stop token, and autoregressive WaveRNN on the CPU
takes minutes.
"""

from __future__ import annotations

import pytest

from workbench.core.models import ModelStore
from workbench_plugins.tts.models import MODELS
from workbench_plugins.tts.synth import TACOTRON_ID, load_tacotron


@pytest.fixture(scope="module")
def tacotron_store(tmp_path_factory):
    import torch
    from torchaudio.models import Tacotron2, WaveRNN
    from torchaudio.pipelines import TACOTRON2_WAVERNN_CHAR_LJSPEECH as bundle

    torch.manual_seed(0)
    folder = tmp_path_factory.mktemp("taco")
    torch.save(Tacotron2(**bundle._tacotron2_params).state_dict(), folder / bundle._tacotron2_path)
    torch.save(WaveRNN(**bundle._wavernn_params).state_dict(), folder / bundle._wavernn_path)
    spec = next(m for m in MODELS if m.id == TACOTRON_ID)
    assert set(spec.files) == {bundle._tacotron2_path, bundle._wavernn_path}
    store = ModelStore([type(spec)(id=spec.id, task=spec.task, name=spec.name, licence=spec.licence,
                                   files=spec.files)], cache_dir=folder / "cache")
    store.import_model(TACOTRON_ID, folder)
    return store


def test_tacotron_checkpoints_load_through_the_plugin_code(tacotron_store):
    import torch

    processor, taco, vocoder = load_tacotron("cpu", tacotron_store)
    tokens, lengths = processor("Hello world.")
    assert tokens.shape == (1, 12) and int(lengths[0]) == 12
    assert not taco.training and vocoder.sample_rate == 22050
    saved = torch.load(tacotron_store.folder(TACOTRON_ID) / MODELS[1].files[0], weights_only=True)
    assert torch.equal(taco.state_dict()["embedding.weight"], saved["embedding.weight"])  # weights really loaded
