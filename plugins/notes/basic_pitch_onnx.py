"""Basic Pitch (``nmp.onnx``) on onnxruntime: 22.05 kHz audio in 2 s windows -> frame-wise activations.

The model maps a window of 43844 samples to 172 frames (hop 256 samples, frame j centred on sample
``j * 256`` of the window) of note, onset (88 pitches each) and contour salience (264 bins, 3 per
semitone). Like basic-pitch's own inference, windows overlap and the frames near each window edge are
dropped; here the window hop is a whole number of frames (141), so the kept frames of consecutive windows
tile one whole-file grid: frame n at ``n * 256 / 22050`` s.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

SAMPLE_RATE = 22050  # Hz
FFT_HOP = 256  # samples per output frame
FRAME_RATE = SAMPLE_RATE / FFT_HOP  # frames per second (~86.13)
WINDOW_SAMPLES = 43844  # model input: 2 s minus one hop
WINDOW_FRAMES = 172  # model output frames per window
EDGE_FRAMES = 15  # frames dropped at each window edge (half of basic-pitch's 30-frame overlap)
KEEP_FRAMES = 141  # frames kept per window = window hop in frames
WINDOW_HOP = KEEP_FRAMES * FFT_HOP  # samples
BATCH_WINDOWS = 4  # windows per onnxruntime call; progress and cancellation between calls
CONTOUR_BASE_HZ = 27.5
CONTOUR_BINS_PER_SEMITONE = 3
OUTPUT_NAMES = {"note": "StatefulPartitionedCall:1", "onset": "StatefulPartitionedCall:2",
                "contour": "StatefulPartitionedCall:0"}


@dataclass
class Activations:
    """Frame-wise model outputs on the whole-file grid (frame n at n / FRAME_RATE s), values 0..1."""

    note: np.ndarray  # (n_frames, 88)
    onset: np.ndarray  # (n_frames, 88)
    contour: np.ndarray | None  # (n_frames, 264) or None when not asked for

    @property
    def times(self) -> np.ndarray:
        return np.arange(self.note.shape[0]) / FRAME_RATE


def contour_frequencies() -> np.ndarray:
    """Centre frequency (Hz) of each of the 264 contour bins."""
    return CONTOUR_BASE_HZ * 2.0 ** (np.arange(88 * CONTOUR_BINS_PER_SEMITONE) / (12 * CONTOUR_BINS_PER_SEMITONE))


class BasicPitchModel:
    """An onnxruntime session for ``nmp.onnx``; ``run`` is safe to call from several threads."""

    def __init__(self, path, device: str = "cpu"):
        import onnxruntime as ort

        from workbench.core.compute import onnx_device, onnx_providers

        providers = onnx_providers(device)
        options = ort.SessionOptions()
        options.log_severity_level = 3  # warnings from the graph optimiser are not the user's business
        self.session = ort.InferenceSession(str(path), sess_options=options, providers=providers)
        self.input_name = self.session.get_inputs()[0].name
        self.providers = self.session.get_providers()
        self.device = onnx_device(self.session, device)  # 'cpu' when the CUDA provider could not be used

    def activations(self, audio: np.ndarray, with_contour: bool = False,
                    on_progress: Callable[[float], None] | None = None) -> Activations:
        """Model outputs for a 1-D float32 signal at 22050 Hz; ``on_progress(fraction)`` between batches."""
        n_frames = max(1, math.ceil(len(audio) / FFT_HOP))
        n_windows = math.ceil(n_frames / KEEP_FRAMES)
        # EDGE_FRAMES of silence in front: window w's kept frames [EDGE, EDGE + KEEP) are file frames
        # [w * KEEP, (w + 1) * KEEP).
        lead = EDGE_FRAMES * FFT_HOP
        padded_len = (n_windows - 1) * WINDOW_HOP + WINDOW_SAMPLES
        padded = np.zeros(padded_len, np.float32)
        take = min(len(audio), padded_len - lead)
        padded[lead:lead + take] = audio[:take]
        names = [OUTPUT_NAMES["note"], OUTPUT_NAMES["onset"]] + ([OUTPUT_NAMES["contour"]] if with_contour else [])
        outputs: list[list[np.ndarray]] = [[] for _ in names]
        for first in range(0, n_windows, BATCH_WINDOWS):
            count = min(BATCH_WINDOWS, n_windows - first)
            batch = np.stack([padded[w * WINDOW_HOP: w * WINDOW_HOP + WINDOW_SAMPLES]
                              for w in range(first, first + count)])[:, :, None]
            results = self.session.run(names, {self.input_name: batch})
            for store, res in zip(outputs, results):
                store.append(res[:, EDGE_FRAMES:EDGE_FRAMES + KEEP_FRAMES, :].reshape(-1, res.shape[-1]))
            if on_progress:
                on_progress((first + count) / n_windows)
        joined = [np.concatenate(o)[:n_frames] for o in outputs]
        return Activations(joined[0], joined[1], joined[2] if with_contour else None)
