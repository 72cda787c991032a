"""musicnn (Pons & Serra, 2019) in PyTorch: the MagnaTagATune model, converted from the TF1 checkpoint.

Input: log-compressed mel spectrogram patches (batch, 187 frames, 96 bands): 16 kHz audio, 512-point FFT,
256-sample hop (16 ms), Slaney mel power spectrogram as librosa computes it, stored as float16 and mapped
through ``log10(10000 x + 1)`` exactly as the original ``musicnn.extractor``. 187 frames = 3 s.
Front-end: timbral (7x38, 7x67 over frequency) and temporal (128/64/32 x 1) CNNs max-pooled over frequency;
mid-end: three 7-frame 1-D convolutions with residual connections; back-end: max- and mean-pool over time,
two dense layers. Output: 50 tag probabilities (sigmoid).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

RATE, N_FFT, HOP, N_MELS = 16000, 512, 256, 96
PATCH_FRAMES = 187  # librosa.time_to_frames(3 s) + 1, as in musicnn.extractor
MTT_LABELS = ['guitar', 'classical', 'slow', 'techno', 'strings', 'drums', 'electronic', 'rock', 'fast', 'piano',
              'ambient', 'beat', 'violin', 'vocal', 'synth', 'female', 'indian', 'opera', 'male', 'singing',
              'vocals', 'no vocals', 'harpsichord', 'loud', 'quiet', 'flute', 'woman', 'male vocal', 'no vocal',
              'pop', 'soft', 'sitar', 'solo', 'man', 'classic', 'choir', 'voice', 'new age', 'dance', 'male voice',
              'female vocal', 'beats', 'harp', 'cello', 'no voice', 'weird', 'country', 'metal', 'female voice',
              'choral']
BN_EPS = 1e-3  # tf.compat.v1.layers.batch_normalization default


def log_mel(wave16k: np.ndarray) -> np.ndarray:
    """(frames, 96) musicnn input representation of a mono 16 kHz signal; frame i is centred on i*16 ms."""
    import librosa

    mel = librosa.feature.melspectrogram(y=np.asarray(wave16k, np.float32), sr=RATE, hop_length=HOP,
                                         n_fft=N_FFT, n_mels=N_MELS).T
    # float16 rounding as the original; the product is taken in float32 because in float16 it overflows to inf
    # for loud input (the original's behaviour there is a bug, not something to reproduce)
    return np.log10(10000 * mel.astype(np.float16).astype(np.float32) + 1).astype(np.float32)


def _bn2(c: int) -> nn.BatchNorm2d:
    return nn.BatchNorm2d(c, eps=BN_EPS)


def _bn1(c: int) -> nn.BatchNorm1d:
    return nn.BatchNorm1d(c, eps=BN_EPS)


class MusiCNN(nn.Module):
    """musicnn with 1.6x front-end filters, 64 mid-end filters and 200 back-end units (the MTT/MSD models)."""

    TEMPORAL = (128, 64, 32)

    def __init__(self, classes: int = 50, mels: int = N_MELS, mid: int = 64, units: int = 200):
        super().__init__()
        self.input_bn = _bn2(1)
        self.timbral = nn.ModuleList([nn.Conv2d(1, 204, (7, int(0.4 * mels))), nn.Conv2d(1, 204, (7, int(0.7 * mels)))])
        self.timbral_bn = nn.ModuleList([_bn2(204), _bn2(204)])
        self.temporal = nn.ModuleList([nn.Conv2d(1, 51, (k, 1)) for k in self.TEMPORAL])
        self.temporal_bn = nn.ModuleList([_bn2(51) for _ in self.TEMPORAL])
        front = 2 * 204 + 3 * 51
        self.mid = nn.ModuleList([nn.Conv1d(front, mid, 7), nn.Conv1d(mid, mid, 7), nn.Conv1d(mid, mid, 7)])
        self.mid_bn = nn.ModuleList([_bn1(mid) for _ in range(3)])
        feat = front + 3 * mid
        self.pool_bn = _bn1(2 * feat)
        self.dense = nn.Linear(2 * feat, units)
        self.dense_bn = _bn1(units)
        self.out = nn.Linear(units, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, frames, 96) log-mel -> (batch, classes) probabilities."""
        h = self.input_bn(x[:, None])  # (B, 1, T, F)
        feats = []
        padded = F.pad(h, (0, 0, 3, 3))  # 'same' along time only; frequency is pooled away
        for conv, bn in zip(self.timbral, self.timbral_bn):
            feats.append(bn(F.relu(conv(padded))).amax(dim=3))
        for k, conv, bn in zip(self.TEMPORAL, self.temporal, self.temporal_bn):
            p = F.pad(h, (0, 0, (k - 1) // 2, k - 1 - (k - 1) // 2))  # TF 'same' for an even kernel
            feats.append(bn(F.relu(conv(p))).amax(dim=3))
        front = torch.cat(feats, dim=1)  # (B, 561, T)
        m1 = self.mid_bn[0](F.relu(self.mid[0](F.pad(front, (3, 3)))))
        m2 = self.mid_bn[1](F.relu(self.mid[1](F.pad(m1, (3, 3))))) + m1
        m3 = self.mid_bn[2](F.relu(self.mid[2](F.pad(m2, (3, 3))))) + m2
        feat = torch.cat([front, m1, m2, m3], dim=1)  # (B, 753, T)
        pooled = torch.stack([feat.amax(dim=2), feat.mean(dim=2)], dim=2).flatten(1)  # TF order: per channel max, mean
        h = self.pool_bn(pooled)
        h = self.dense_bn(F.relu(self.dense(h)))
        return torch.sigmoid(self.out(h))


def tf_to_torch(ck: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """State dict of :class:`MusiCNN` from the TF1 variable names (creation order of musicnn.models)."""
    sd: dict[str, np.ndarray] = {}

    def bn(tf_name: str, name: str):
        sd[f"{name}.weight"] = ck[f"{tf_name}/gamma"]
        sd[f"{name}.bias"] = ck[f"{tf_name}/beta"]
        sd[f"{name}.running_mean"] = ck[f"{tf_name}/moving_mean"]
        sd[f"{name}.running_var"] = ck[f"{tf_name}/moving_variance"]

    def conv2d(tf_name: str, name: str):
        sd[f"{name}.weight"] = ck[f"{tf_name}/kernel"].transpose(3, 2, 0, 1)  # (kh,kw,in,out) -> (out,in,kh,kw)
        sd[f"{name}.bias"] = ck[f"{tf_name}/bias"]

    def conv1d(tf_name: str, name: str):
        sd[f"{name}.weight"] = ck[f"{tf_name}/kernel"][:, :, 0, :].transpose(2, 1, 0)  # (k,in,1,out) -> (out,in,k)
        sd[f"{name}.bias"] = ck[f"{tf_name}/bias"]

    def suffix(i: int) -> str:
        return "" if i == 0 else f"_{i}"

    bn("batch_normalization", "input_bn")
    for i in range(2):
        conv2d(f"conv2d{suffix(i)}", f"timbral.{i}")
        bn(f"batch_normalization_{i + 1}", f"timbral_bn.{i}")
    for i in range(3):
        conv2d(f"conv2d_{i + 2}", f"temporal.{i}")
        bn(f"batch_normalization_{i + 3}", f"temporal_bn.{i}")
    for i in range(3):
        conv1d(f"conv2d_{i + 5}", f"mid.{i}")
        bn(f"batch_normalization_{i + 6}", f"mid_bn.{i}")
    bn("batch_normalization_9", "pool_bn")
    sd["dense.weight"], sd["dense.bias"] = ck["dense/kernel"].T, ck["dense/bias"]
    bn("batch_normalization_10", "dense_bn")
    sd["out.weight"], sd["out.bias"] = ck["dense_1/kernel"].T, ck["dense_1/bias"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in sd.items()}


def patches(mel: np.ndarray, hop_frames: int = PATCH_FRAMES) -> tuple[np.ndarray, np.ndarray]:
    """(start frame of each patch, (N, 187, 96) patches); a short input is repeated to fill one patch
    (musicnn's training used repeat-padding for short clips)."""
    if len(mel) < PATCH_FRAMES:
        reps = int(np.ceil(PATCH_FRAMES / max(1, len(mel))))
        mel = np.tile(mel, (reps, 1))[:PATCH_FRAMES]
    starts = np.arange(0, len(mel) - PATCH_FRAMES + 1, hop_frames)
    return starts, np.stack([mel[s:s + PATCH_FRAMES] for s in starts])
