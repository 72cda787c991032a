"""Column-wise analysis at arbitrary frame centres: the building block of the spectrogram view's tiles, with the
same numbers as compute_spectrogram for the same frame centres.

On the CPU the STFT and mel are numpy end to end (cpu_power.py; the mel filterbank's products are torch's), so
that a file opened while torch is still loading (1.5-2 s at start-up) is drawn at once in the STFT view; mel
(its filterbank), CQT and GPU devices load torch.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from ..errors import InvalidParameterError, JobCancelled
from ..heap import MMAP_THRESHOLD
from .cpu_power import power_into, strided_power
from .frequencies import row_frequencies
from .settings import SpectrogramSettings


class ColumnAnalyser:
    """dB columns centred on arbitrary full-rate sample positions of a signal given by a reader.

    ``read(a, b)`` -> float32 samples a..b-1 with zeros outside the signal; ``gather(starts, n)`` -> (cols, n)
    frames starting at ``starts`` (zeros outside). Thread-safe (holds only read-only arrays and tensors).
    """

    def __init__(self, sr: int, settings: SpectrogramSettings, device: str = "cpu"):
        self.sr, self.settings, self.device = int(sr), settings, device
        self.freqs = row_frequencies(sr, settings)
        self.n_rows = len(self.freqs)
        self._cpu = str(device).split(":")[0] == "cpu"
        self._mel = self._cqt = None
        if settings.kind == "mel":
            from .stft import mel_projector

            self._mel = mel_projector(sr, settings, device)
        elif settings.kind == "cqt":
            from .cqt import cqt_plan

            self._cqt = cqt_plan(sr, settings, device)

    @property
    def frame_step(self) -> int:
        """Largest frame spacing (samples) that still looks at every sample: settings.hop, at most half the
        STFT frame, or half the CQT's shortest filter."""
        limit = self._cqt.shortest_filter / 2 if self._cqt is not None else self.settings.n_fft / 2
        return int(max(1, min(self.settings.hop, limit)))

    @property
    def margin(self) -> int:
        """Samples either side of a column centre that the column depends on."""
        return self._cqt.margin if self._cqt is not None else self.settings.n_fft // 2

    def columns(self, read: Callable[[int, int], np.ndarray],
                gather: Callable[[np.ndarray, int], np.ndarray], centres: np.ndarray,
                cancelled: Callable[[], bool] = lambda: False, pool: int = 1) -> np.ndarray:
        """(rows, len(centres) // pool) float32 dB. ``pool`` > 1: each output column is the maximum over
        ``pool`` consecutive centres (taken before the dB conversion, which is monotonic: same result, less
        work); the centres are then processed in blocks so memory stays small."""
        centres = np.asarray(centres, dtype=np.int64)
        pool = max(1, int(pool))
        if len(centres) % pool:
            raise InvalidParameterError(f"{len(centres)} centres do not split into groups of {pool}")
        block = max(pool, (min(1024, self._part_frames()) // pool) * pool)
        parts = []
        for a in range(0, len(centres), block):
            if cancelled():
                raise JobCancelled()
            if self._cqt is not None:  # pools per octave itself (its long low filters need fewer frames)
                x = self._cqt.magnitude(read, centres[a:a + block], cancelled, pool=pool)
            else:
                x = _pool_max(self._linear(read, gather, centres[a:a + block]), pool)
            parts.append(x)
        if not parts:
            return np.zeros((self.n_rows, 0), np.float32)
        return _to_db(parts, amplitude=self._cqt is not None)

    def _part_frames(self) -> int:
        """Frames per part of a columns() call. STFT and mel: a part's samples and spectra (~4 bytes per bin a
        frame) stay under the mmap threshold (heap.py), so its temporaries are reused heap memory, not fresh
        mmaps paged in and unmapped again for every part (which made tiles 2-5x slower). CQT: 1024 (~25 MB
        per thread; its octaves manage their own blocks)."""
        if self._cqt is not None:
            return 1024
        return max(8, MMAP_THRESHOLD * 7 // 8 // (4 * (self.settings.n_fft // 2 + 1)))

    def _linear(self, read, gather, centres: np.ndarray):
        """Power columns (rows, len(centres)) of the STFT or mel: numpy on the CPU, else a tensor on the device."""
        n = self.settings.n_fft
        step = int(centres[1] - centres[0]) if len(centres) > 1 else 0
        if step >= 1 and np.all(np.diff(centres) == step):  # evenly spaced: one read, strided frames
            seg = np.ascontiguousarray(read(int(centres[0]) - n // 2, int(centres[-1]) + n - n // 2), np.float32)
            frames = None
        else:
            seg, frames = None, np.ascontiguousarray(gather(centres - n // 2, n), dtype=np.float32)
        if self._cpu:  # cache-sized blocks, mel projected block by block
            project = self._mel.project_arrays if self._mel is not None else None
            rows = self._mel.fb.shape[0] if self._mel is not None else n // 2 + 1
            if seg is not None:
                return strided_power(seg, step, self.settings, project, rows)
            out = np.empty((len(frames), rows), np.float32)
            power_into(frames, self.settings, out, project)
            return out.T
        import torch

        from .stft import frames_power, segment_power

        if seg is not None:
            p = segment_power(torch.from_numpy(seg).to(self.device), step, self.settings)
        else:
            p = frames_power(torch.from_numpy(frames).to(self.device), self.settings)
        return self._mel(p) if self._mel is not None else p


def _pool_max(x, pool: int):
    """(rows, cols) -> (rows, cols // pool): max over runs of ``pool`` columns (numpy or torch). Power spectra
    come as the transpose of a (cols, rows) array: reduce in that layout (contiguous, no copy)."""
    if pool <= 1:
        return x
    rows = x.shape[0]
    if isinstance(x, np.ndarray):
        if x.T.flags.c_contiguous:
            return x.T.reshape(-1, pool, rows).max(axis=1).T
        return x.reshape(rows, -1, pool).max(axis=2)
    if x.T.is_contiguous():
        return x.T.reshape(-1, pool, rows).amax(dim=1).T
    return x.reshape(rows, -1, pool).amax(dim=2)


def _to_db(parts: list, amplitude: bool) -> np.ndarray:
    """The parts side by side, in dB (power, or amplitude for the CQT), as float32 numpy (rows, cols)."""
    if isinstance(parts[0], np.ndarray):
        x = parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)  # a fresh array: converted in place
        np.maximum(x, np.float32(1e-10), out=x)  # 10*log10(max(p, 1e-10)), as compute.power_to_db
        np.log10(x, out=x)
        x *= np.float32(10.0)
        return x
    import torch

    from .compute import amplitude_to_db, power_to_db

    x = parts[0] if len(parts) == 1 else torch.cat(parts, dim=1)  # a fresh tensor: converted in place
    db = amplitude_to_db(x, inplace=True) if amplitude else power_to_db(x, inplace=True)
    return db.float().cpu().numpy()
