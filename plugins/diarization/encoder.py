"""Speaker embeddings with Resemblyzer's GE2E voice encoder, run by our own code from its bundled weights.

The network (Wan et al., 2018, as trained by Resemblyzer): 3 LSTM layers of 256 units over 40-band mel *power*
frames (25 ms window, 10 ms hop, 16 kHz; no log), the last hidden state through a linear layer and a ReLU, then
L2-normalised. The mel comes from the workbench's own feature code (equal to librosa's, which Resemblyzer uses).
The package is never imported (it needs webrtcvad at import time); its ``pretrained.pt`` is read with
``weights_only=True``. Threading: one encoder may serve several threads only under ``torch.inference_mode``.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from workbench.core.features import SpectrogramSettings
from workbench.core.models import ModelStore, default_store, load_state_dict

MODEL_ID = "resemblyzer-encoder"
SAMPLE_RATE = 16000  # Hz
HOP = 160  # samples per mel frame (10 ms)
MEL = SpectrogramSettings(kind="mel", n_fft=400, hop=HOP, n_mels=40, fmin=0.0, fmax=None)
TARGET_DBFS = -30.0  # the level Resemblyzer normalises utterances to before the mel


class VoiceEncoder(nn.Module):
    """(batch, frames, 40) mel power -> (batch, 256) unit-norm embeddings."""

    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(40, 256, 3, batch_first=True)
        self.linear = nn.Linear(256, 256)

    def forward(self, mels: torch.Tensor) -> torch.Tensor:
        _, (hidden, _) = self.lstm(mels)
        e = torch.relu(self.linear(hidden[-1]))
        return e / (e.norm(dim=1, keepdim=True) + 1e-8)


def load_encoder(device: str = "cpu", store: ModelStore | None = None) -> VoiceEncoder:
    """The encoder with its weights (cached once per device by the model store)."""
    store = store or default_store()

    def build(path) -> VoiceEncoder:
        state = load_state_dict(path)["model_state"]
        state = {k: v for k, v in state.items() if not k.startswith("similarity_")}  # GE2E training-only scalars
        net = VoiceEncoder()
        net.load_state_dict(state, strict=True)
        return net.eval().to(device)

    return store.cached_load(MODEL_ID, device, build)


def mel_frames(samples: np.ndarray, device: str = "cpu") -> torch.Tensor:
    """Mel power frames (frames, 40) of a 16 kHz mono signal; frame k is centred on sample k * HOP."""
    from workbench.core.features import mel_power

    return mel_power(np.asarray(samples, np.float32), SAMPLE_RATE, MEL, device).T


def normalise_level(x: np.ndarray) -> np.ndarray:
    """Scale to Resemblyzer's -30 dBFS RMS (the encoder's input is not log-compressed, so level matters)."""
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
    if rms < 1e-6:
        return x
    return (x * (10 ** (TARGET_DBFS / 20) / rms)).astype(np.float32)


@torch.inference_mode()
def embed_windows(net: VoiceEncoder, samples: np.ndarray, windows: list[tuple[int, int]], device: str = "cpu",
                  batch: int = 64) -> np.ndarray:
    """Embeddings (len(windows), 256) of sample ranges ``[a, b)`` of a 16 kHz signal, each level-normalised.

    Windows of equal length are batched together (the LSTM needs equal lengths within a batch).
    """
    out = np.zeros((len(windows), 256), np.float32)
    by_len: dict[int, list[int]] = {}
    mels = []
    for i, (a, b) in enumerate(windows):
        m = mel_frames(normalise_level(samples[a:b]), device)
        mels.append(m)
        by_len.setdefault(m.shape[0], []).append(i)
    for idx in by_len.values():
        for k in range(0, len(idx), batch):
            part = idx[k:k + batch]
            x = torch.stack([mels[i] for i in part]).to(device)
            out[part] = net(x).cpu().numpy()
    return out
