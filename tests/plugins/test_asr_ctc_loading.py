"""The wav2vec2 CTC loading path, checked with a checkpoint made here (the real one needs a download).

The real WAV2VEC2_ASR_BASE_960H weights cannot be fetched offline, so this builds a checkpoint with the same
layout (torchaudio's model with random weights, plus fairseq's 3 extra output rows that the loader removes),
imports it into a model store and runs the plugin path end to end. It proves the loading and decoding code,
not recognition quality.
"""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.models import ModelStore
from workbench_plugins.asr.ctc import MODEL_ID, _greedy_words, transcribe_ctc
from workbench_plugins.asr.models import MODELS


@pytest.fixture(scope="module")
def ctc_store(tmp_path_factory):
    import torch
    from torchaudio.pipelines import WAV2VEC2_ASR_BASE_960H as bundle
    from torchaudio.pipelines._wav2vec2 import utils

    torch.manual_seed(0)
    state = utils._get_model(bundle._model_type, bundle._params).state_dict()
    for key in ("aux.weight", "aux.bias"):  # fairseq checkpoints carry 3 unused rows at 1..3
        t = state[key]
        state[key] = torch.cat([t[:1], torch.zeros((3, *t.shape[1:])), t[1:]])
    folder = tmp_path_factory.mktemp("w2v")
    spec = next(m for m in MODELS if m.id == MODEL_ID)
    torch.save(state, folder / spec.files[0])
    # same model id and files, no recorded checksum (the checkpoint is made here)
    store = ModelStore([type(spec)(id=spec.id, task=spec.task, name=spec.name, licence=spec.licence,
                                   files=spec.files)], cache_dir=folder / "cache")
    store.import_model(MODEL_ID, folder)
    return store


def test_ctc_path_loads_checkpoint_and_decodes(ctc_store):
    audio = (0.1 * np.sin(2 * np.pi * 200 * np.arange(24000) / 16000)).astype(np.float32)
    seen = []
    segments, words = transcribe_ctc(audio, "cpu", progress=lambda f, t: seen.append(f), store=ctc_store,
                                     window_s=1.0, offset=2.0)
    assert seen == [0.5, 1.0]  # two 1 s windows
    assert len(words) == 0 or (words.starts.min() >= 2.0 and words.ends.max() <= 2.0 + 1.5 + 0.02)
    assert segments.metadata["model"] == MODEL_ID


def test_greedy_ctc_collapse():
    labels = ("-", "|", "A", "B")
    ids = np.array([0, 2, 2, 0, 3, 1, 1, 0, 2, 0, 2])
    assert _greedy_words(ids, labels) == [("AB", 1, 5), ("AA", 8, 11)]
