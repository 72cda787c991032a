"""A small event head for the "street" preset: log-mel CNN + dilated temporal convolutions, with YAMNet's
scores as context, giving siren / car horn / speech activity every 40 ms.

YAMNet says *what* (its 0.96 s windows know a siren from a bird), the log-mel CNN says *when* (10 ms frames
pooled to 40 ms), in the spirit of DCASE Task 4's CRNNs (no recurrence, so that the live processor can run it
on a sliding context). Trained by scripts/train_sed_head.py on generated soundscapes
(plugins/sed/soundscapes.py); weights in resources/models/sed_street_head.safetensors, the config and
training record beside them (.json).
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np

from workbench_plugins.audioset.yamnet import HOP, LOG_OFFSET, PATCH_S, RATE, log_mel

HEAD_ID = "sed-street-head"
FRAME_S = 0.04  # output frame (4 log-mel frames)
CLASSES = ("Siren", "Car horn", "Speech")  # output order; lane names of the street preset
CONTEXT = {  # YAMNet context channels: AudioSet class groups (a group's score is its highest member's)
    "siren": ("Siren", "Civil defense siren", "Police car (siren)", "Ambulance (siren)",
              "Fire engine, fire truck (siren)", "Emergency vehicle"),
    "horn": ("Vehicle horn, car horn, honking", "Air horn, truck horn", "Toot"),
    "speech": ("Speech", "Conversation", "Narration, monologue", "Child speech, kid speaking"),
    "shout": ("Shout", "Yell", "Children shouting", "Screaming"),
    "beep": ("Beep, bleep", "Alarm", "Car alarm", "Buzzer", "Busy signal", "Dial tone", "Telephone"),
    "engine": ("Engine", "Car", "Truck", "Bus", "Motor vehicle (road)", "Traffic noise, roadway noise",
               "Car passing by", "Vehicle"),
    "bird": ("Bird", "Bird vocalization, bird call, bird song", "Chirp, tweet", "Whistle"),
    "music": ("Music", "Musical instrument", "Singing"),
    "silence": ("Silence", "Noise", "Outside, urban or manmade", "Outside, rural or natural", "Wind"),
}
CHUNK_S, MARGIN_S = 30.0, 2.0  # inference in chunks (memory), each with context margins


def build(n_ctx: int = len(CONTEXT), n_out: int = len(CLASSES), ch: int = 24, hid: int = 48,
          dilations: tuple[int, ...] = (1, 2, 4)):
    """The network; ``dilations`` of the kernel-5 temporal convolutions set its receptive field (1, 2, 4:
    +-0.6 s; 1, 2, 4, 8: +-1.2 s, enough to hear a long horn hold its pitch where a siren sweeps)."""
    import torch.nn as nn

    class SedHead(nn.Module):
        def __init__(self):
            super().__init__()

            def block(cin, cout, pool):
                return [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(), nn.MaxPool2d(pool)]

            self.cnn = nn.Sequential(*block(1, ch, (2, 4)), *block(ch, ch, (2, 4)), *block(ch, ch, (1, 4)))
            layers = []
            for k, d in enumerate(dilations):  # same layer indices as before for (1, 2, 4): old weights load
                layers += [nn.Conv1d(ch + n_ctx if k == 0 else hid, hid, 5, padding=2 * d, dilation=d), nn.ReLU()]
            self.tcn = nn.Sequential(*layers, nn.Conv1d(hid, n_out, 1))

        def forward(self, mel, ctx):
            """mel (B, 4T, 64) normalised log-mel, ctx (B, T, n_ctx) context logits -> (B, T, n_out) logits."""
            h = self.cnn(mel[:, None])  # (B, ch, T, 1)
            h = h[..., 0]
            T = min(h.shape[-1], ctx.shape[1])
            x = __import__("torch").cat([h[..., :T], ctx[:, :T].transpose(1, 2)], dim=1)
            return self.tcn(x).transpose(1, 2)

    return SedHead()


def receptive_s(cfg: dict) -> float:
    """Seconds of context either side that the head's output frames depend on (temporal convolutions)."""
    dil = cfg.get("sizes", {}).get("dilations", (1, 2, 4))
    return (2 * sum(dil) + 2) * FRAME_S  # kernel 5 per level, plus the CNN's few frames


def context_indices(labels: list[str]) -> list[list[int]]:
    index = {n: i for i, n in enumerate(labels)}
    return [[index[n] for n in names] for names in CONTEXT.values()]


def context_groups(scores: np.ndarray, labels: list[str]) -> np.ndarray:
    """(windows, n_ctx): each context group's YAMNet score (its members' highest)."""
    if not len(scores):
        return np.zeros((0, len(CONTEXT)), np.float32)
    return np.stack([scores[:, g].max(axis=1) for g in context_indices(labels)], axis=1)


def context_logits(groups: np.ndarray, hop_s: float, frames: int, first_frame: int = 0,
                   first_window: int = 0) -> np.ndarray:
    """(frames, n_ctx): context logits interpolated from window centres to the 40 ms frames
    ``first_frame ..`` (window k, counted from ``first_window``, is centred at k hop + 0.48 s)."""
    if not len(groups):
        groups = np.full((1, len(CONTEXT)), 1e-3, np.float32)
    p = np.clip(groups, 1e-3, 1 - 1e-3)
    logit = np.log(p / (1 - p))
    centres = (np.arange(len(logit)) + first_window) * hop_s + PATCH_S / 2
    t = (np.arange(frames) + first_frame + 0.5) * FRAME_S
    return np.stack([np.interp(t, centres, logit[:, k]) for k in range(logit.shape[1])], axis=1).astype(np.float32)


def mel_frames(wave16k: np.ndarray) -> np.ndarray:
    """(4T, 64) log-mel (YAMNet's front end, 10 ms frames), trimmed to whole 40 ms output frames."""
    mel = log_mel(wave16k)
    n = (len(mel) // 4) * 4
    return mel[:max(n, 4)] if n else np.pad(mel, ((0, 4 - len(mel)), (0, 0)), mode="edge")


class StreetHead:
    """The trained head: ``activity(wave16k, groups, hop_s)`` -> (T, 3) probabilities every 40 ms."""

    def __init__(self, weights: Path):
        import torch
        from safetensors.torch import load_file

        cfg = json.loads(Path(weights).with_suffix(".json").read_text())
        self.cfg = cfg
        self.mean = np.asarray(cfg["mel_mean"], np.float32)
        self.std = np.asarray(cfg["mel_std"], np.float32)
        self.net = build(**cfg["sizes"])
        self.net.load_state_dict(load_file(str(weights)))
        self.net.eval()
        self.lock = threading.Lock()
        self.torch = torch

    def logits(self, mel: np.ndarray, ctx: np.ndarray) -> np.ndarray:
        torch = self.torch
        with self.lock, torch.inference_mode():
            m = torch.from_numpy(((mel - self.mean) / self.std)[None].astype(np.float32))
            return self.net(m, torch.from_numpy(ctx[None].astype(np.float32)))[0].numpy()

    def activity(self, wave16k: np.ndarray, groups: np.ndarray, hop_s: float, first_frame: int = 0,
                 first_window: int = 0) -> np.ndarray:
        """(T, 3) probabilities for the 40 ms frames of ``wave16k`` (which starts at frame ``first_frame``),
        given the context groups of windows ``first_window ..`` (:func:`context_groups`)."""
        mel = mel_frames(wave16k)
        frames = len(mel) // 4
        ctx = context_logits(groups, hop_s, frames, first_frame, first_window)
        out = np.empty((frames, len(CLASSES)), np.float32)
        step, margin = int(CHUNK_S / FRAME_S), int(MARGIN_S / FRAME_S)
        for a in range(0, frames, step):  # chunks with 2 s margins: bounded memory, edges as in one pass
            lo, hi = max(0, a - margin), min(frames, a + step + margin)
            y = self.logits(mel[4 * lo:4 * hi], ctx[lo:hi])
            out[a:min(frames, a + step)] = y[a - lo:a - lo + min(step, frames - a)]
        act = 1.0 / (1.0 + np.exp(-out))
        quiet = (mel.reshape(frames, 4, -1).max(axis=(1, 2)) < np.log(2 * LOG_OFFSET))  # digital silence
        act[quiet] = 0.0  # no signal, no event
        return act


_heads: dict[str, StreetHead] = {}
_lock = threading.Lock()


def load_head(ctx) -> StreetHead:
    """The shared head (checksum-checked through the model store)."""
    from workbench.core.models import default_store

    store = ctx.models if getattr(ctx, "models", None) is not None else default_store()
    path = store.path(HEAD_ID)
    with _lock:
        if str(path) not in _heads:
            _heads[str(path)] = StreetHead(path)
        return _heads[str(path)]


__all__ = ["HEAD_ID", "FRAME_S", "CLASSES", "CONTEXT", "build", "receptive_s", "context_groups", "context_logits",
           "mel_frames", "StreetHead",
           "load_head", "HOP", "RATE"]
