"""wav2vec 2.0 CTC recognition (torchaudio WAV2VEC2_ASR_BASE_960H) from a checkpoint in the model store.

The checkpoint is the file torchaudio's bundle downloads (``workbench models fetch wav2vec2-asr-base-960h``);
it is loaded with ``torch.load(weights_only=True)`` into torchaudio's own model class. English only, greedy CTC
decoding; word times come from the CTC frames (20 ms each). Input: mono float32 at 16 kHz.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from workbench.core.layers import Segments, Words
from workbench.core.models import ModelStore, default_store, load_state_dict

MODEL_ID = "wav2vec2-asr-base-960h"
FRAME_S = 0.02  # seconds per CTC frame (320-sample stride at 16 kHz)


def load_ctc(device: str = "cpu", store: ModelStore | None = None):
    """(model, labels) on ``device``, loaded once per process."""
    store = store or default_store()

    def load(path):
        import torch
        from torchaudio.pipelines import WAV2VEC2_ASR_BASE_960H as bundle
        from torchaudio.pipelines._wav2vec2 import utils  # torchaudio's own builders for this bundle

        model = utils._get_model(bundle._model_type, bundle._params)
        state = load_state_dict(path)
        utils._remove_aux_axes(state, bundle._remove_aux_axis)
        model.load_state_dict(state)
        if bundle._normalize_waveform:
            model = utils._extend_model(model, normalize_waveform=True)
        with torch.no_grad():
            return model.eval().to(device), bundle.get_labels()

    return store.cached_load(MODEL_ID, device, load)


def transcribe_ctc(
    samples_16k: np.ndarray, device: str = "cpu", progress: Callable[[float, str], None] | None = None,
    store: ModelStore | None = None, window_s: float = 30.0, offset: float = 0.0,
) -> tuple[Segments, Words]:
    """Greedy CTC transcription in ``window_s`` windows (one segment each); times in seconds + ``offset``."""
    import torch

    model, labels = load_ctc(device, store)
    audio = np.asarray(samples_16k, dtype=np.float32).reshape(-1)
    hop = int(window_s * 16000)
    seg_s, seg_e, seg_t, w_s, w_e, w_t = [], [], [], [], [], []
    count = max(1, -(-len(audio) // hop))
    for i in range(count):
        t0 = i * window_s
        chunk = torch.from_numpy(audio[i * hop:(i + 1) * hop]).to(device)[None]
        if chunk.shape[1] < 400:
            continue
        with torch.inference_mode():
            emission, _ = model(chunk)
        ids = emission[0].argmax(-1).cpu().numpy()
        words = _greedy_words(ids, labels)
        for text, a, b in words:
            w_s.append(offset + t0 + a * FRAME_S)
            w_e.append(offset + t0 + b * FRAME_S)
            w_t.append(text.lower())
        if words:
            seg_s.append(offset + t0 + words[0][1] * FRAME_S)
            seg_e.append(offset + t0 + words[-1][2] * FRAME_S)
            seg_t.append(" ".join(w[0].lower() for w in words))
        if progress:
            progress((i + 1) / count, f"window {i + 1}/{count}")
    meta = {"model": MODEL_ID, "language": "en", "device": device}
    return (Segments(name="transcript", starts=seg_s, ends=seg_e, texts=seg_t, metadata=meta),
            Words(name="words", starts=w_s, ends=w_e, texts=w_t, metadata=dict(meta)))


def _greedy_words(ids: np.ndarray, labels: tuple[str, ...]) -> list[tuple[str, int, int]]:
    """Collapse repeats, drop blanks (index 0), split at '|'; returns (word, first frame, last frame + 1)."""
    words, current, start, prev = [], "", -1, -1
    for t, k in enumerate(ids):
        if k != prev and k != 0:
            ch = labels[k]
            if ch == "|":
                if current:
                    words.append((current, start, t))
                current, start = "", -1
            else:
                if not current:
                    start = t
                current += ch
        prev = k
    if current:
        words.append((current, start, len(ids)))
    return words
