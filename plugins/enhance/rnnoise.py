"""RNNoise through ctypes on the shared library that the pyrnnoise wheel ships (weights compiled in).

RNNoise works on 480-sample frames (10 ms) at 48 kHz on int16-scaled floats and keeps its state between frames;
the output is delayed by two frames (:data:`DELAY` = 20 ms) relative to its input. :class:`Denoiser`
holds one state per channel. The library is loaded directly so the pyrnnoise package (whose import pulls
audiolab and matplotlib) is never imported. Threading: one :class:`Denoiser` per thread.
"""

from __future__ import annotations

import ctypes
from functools import lru_cache
from pathlib import Path

import numpy as np

from workbench.core.errors import ModelUnavailableError

SAMPLE_RATE = 48000  # Hz
FRAME = 480  # samples per RNNoise step (10 ms)
DELAY = 2 * FRAME  # samples of algorithmic delay (window overlap + look-ahead; measured by cross-correlation)
SCALE = 32768.0  # RNNoise expects int16-range floats


@lru_cache(maxsize=4)
def load_library(path: str) -> ctypes.CDLL:
    try:
        lib = ctypes.CDLL(path)
    except OSError as exc:
        raise ModelUnavailableError(f"RNNoise library cannot be loaded ({exc}); reinstall pyrnnoise==0.4.5") from exc
    lib.rnnoise_create.argtypes = [ctypes.c_void_p]
    lib.rnnoise_create.restype = ctypes.c_void_p
    lib.rnnoise_destroy.argtypes = [ctypes.c_void_p]
    lib.rnnoise_process_frame.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float),
                                          ctypes.POINTER(ctypes.c_float)]
    lib.rnnoise_process_frame.restype = ctypes.c_float
    lib.rnnoise_get_frame_size.restype = ctypes.c_int
    if lib.rnnoise_get_frame_size() != FRAME:
        raise ModelUnavailableError("this RNNoise build uses another frame size; reinstall pyrnnoise==0.4.5")
    return lib


class Denoiser:
    """Stateful RNNoise for ``channels`` channels of 48 kHz float audio (-1..1).

    :meth:`process` takes whole frames (channels, k * FRAME) and returns the same shape, delayed by
    :data:`DELAY` samples, plus the per-frame speech probability (channels, k) that RNNoise estimates.
    """

    def __init__(self, library: str | Path, channels: int = 1):
        self.lib = load_library(str(library))
        self.states = [self.lib.rnnoise_create(None) for _ in range(channels)]
        self._buf = np.zeros(FRAME, np.float32)
        self._ptr = self._buf.ctypes.data_as(ctypes.POINTER(ctypes.c_float))

    def close(self) -> None:
        for s in self.states:
            self.lib.rnnoise_destroy(s)
        self.states = []

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def process(self, frames: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.atleast_2d(np.asarray(frames, np.float32))
        if x.shape[0] != len(self.states) or x.shape[1] % FRAME:
            raise ValueError(f"expected ({len(self.states)}, k*{FRAME}) samples, got {x.shape}")
        k = x.shape[1] // FRAME
        out = np.empty_like(x)
        vad = np.empty((x.shape[0], k), np.float32)
        for c, state in enumerate(self.states):
            for i in range(k):
                np.multiply(x[c, i * FRAME:(i + 1) * FRAME], SCALE, out=self._buf)
                vad[c, i] = self.lib.rnnoise_process_frame(state, self._ptr, self._ptr)
                out[c, i * FRAME:(i + 1) * FRAME] = self._buf
        out /= SCALE
        return out, vad


def denoise(samples: np.ndarray, library: str | Path, progress=None) -> np.ndarray:
    """Denoised copy of 48 kHz audio (channels, n), aligned with the input (the 20 ms delay removed)."""
    x = np.atleast_2d(np.asarray(samples, np.float32))
    n = x.shape[1]
    total = -(-(n + DELAY) // FRAME) * FRAME
    padded = np.zeros((x.shape[0], total), np.float32)
    padded[:, :n] = x
    den = Denoiser(library, x.shape[0])
    out = np.empty_like(padded)
    step = FRAME * 500  # 5 s per call, for progress and cancellation
    try:
        for a in range(0, total, step):
            out[:, a:a + step] = den.process(padded[:, a:a + step])[0]
            if progress:
                progress(min(1.0, (a + step) / total))
    finally:
        den.close()
    return out[:, DELAY:DELAY + n]
