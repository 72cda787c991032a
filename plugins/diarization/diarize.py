"""Who spoke when: the VAD plugin's speech regions, Resemblyzer embeddings of windows inside them, clustering.

:func:`diarize` is the whole pipeline on a 16 kHz mono signal and returns speaker turns (start s, end s,
speaker index 0..N-1 in order of first appearance). It never invents speakers: no speech gives no turns, and
clusters with a tiny share of the speech are folded into their neighbours when the count is automatic.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from workbench_plugins.vad.detector import detect_speech
from workbench_plugins.vad.plugin import load_model as load_vad

from .clustering import DEFAULT_THRESHOLD, cluster_speakers
from .encoder import SAMPLE_RATE, embed_windows, load_encoder
from .turns import region_windows, windows_to_turns

Progress = Callable[[float, str], None]


def speech_regions(samples: np.ndarray, store=None, progress: Progress | None = None,
                   threshold: float = 0.5) -> list[tuple[float, float]]:
    """Speech regions (start s, end s) of a 16 kHz signal from the VAD plugin's detector."""
    vad = load_vad(store)
    probs = vad.probabilities(samples, progress=(lambda f: progress(f, "finding speech")) if progress else None)
    regions = detect_speech(probs, threshold=threshold, min_speech=0.25, min_silence=0.1, pad=0.03,
                            duration=len(samples) / SAMPLE_RATE)
    return [(a, b) for a, b, _ in regions if b > a]


def diarize(samples: np.ndarray, speakers: int = 0, threshold: float = DEFAULT_THRESHOLD, max_speakers: int = 10,
            device: str = "cpu", store=None, progress: Progress | None = None,
            regions: list[tuple[float, float]] | None = None) -> list[tuple[float, float, int]]:
    """Speaker turns of a 16 kHz mono float32 signal; ``speakers`` 0 = find the count automatically."""
    def report(f: float, text: str) -> None:
        if progress:
            progress(f, text)

    x = np.asarray(samples, np.float32).reshape(-1)
    if regions is None:
        regions = speech_regions(x, store, lambda f, t: report(0.3 * f, t))
    windows = region_windows(regions)
    if not windows:
        return []
    report(0.3, f"embedding {len(windows)} windows")
    net = load_encoder(device, store)
    spans = [(int(w.start * SAMPLE_RATE), min(len(x), int(round(w.end * SAMPLE_RATE)))) for w in windows]
    emb = np.zeros((len(windows), 256), np.float32)
    step = 256
    for i in range(0, len(spans), step):  # in slices, for progress and cancellation
        emb[i:i + step] = embed_windows(net, x, spans[i:i + step], device)
        report(0.3 + 0.6 * min(1.0, (i + step) / len(spans)), "embedding voices")
    weights = np.array([w.own_end - w.own_start for w in windows])
    labels = cluster_speakers(emb, speakers, threshold, max_speakers, weights)
    report(0.95, "clustering")
    return windows_to_turns(windows, labels, regions)


def speaker_names(count: int) -> list[str]:
    return [f"Speaker {i + 1}" for i in range(count)]
