"""Whisper transcription through faster-whisper (CTranslate2), with model caching.

:func:`transcribe` is the entry point for both the ASR plugin and live transcription (one call per utterance).
Audio goes in as mono float32 samples at 16 kHz; times come out in seconds from the start of those samples.
Threading: loaded models are shared between threads (CTranslate2 models are thread-safe for inference);
``progress`` is called from the calling thread.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Callable

import numpy as np

from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Segments, Words
from workbench.core.models import ModelStore, default_store

log = logging.getLogger(__name__)
SAMPLE_RATE = 16000  # Hz, what Whisper expects
PARTIAL_EVERY_S = 1.0  # at most this often, the words decoded so far are handed out (results as they arrive)
WHISPER_IDS = ("whisper-base", "whisper-tiny.en", "whisper-small", "whisper-medium", "whisper-large-v3")


def compute_type_for(device: str) -> str:
    """float16 on a CUDA GPU, int8 on the CPU (about 2x faster than float32 there, same accuracy in practice)."""
    return "float16" if device.startswith("cuda") else "int8"


def load_whisper(model_id: str, device: str = "cpu", store: ModelStore | None = None):
    """The faster-whisper model ``model_id`` on ``device`` ('cpu', 'cuda' or 'cuda:N'), loaded once per process."""
    if model_id not in WHISPER_IDS:
        raise InvalidParameterError(f"'{model_id}' is not a Whisper model; choose one of {', '.join(WHISPER_IDS)}")
    store = store or default_store()

    def load(path):
        from faster_whisper import WhisperModel

        kind, _, index = device.partition(":")
        threads = min(4, os.cpu_count() or 1)
        if kind == "cuda":
            from workbench.core.compute import preload_cuda12_blas

            preload_cuda12_blas()  # CTranslate2 is built for CUDA 12: its cuBLAS comes from nvidia-cublas-cu12
        model = WhisperModel(str(path.parent), device=kind, device_index=int(index or 0),
                             compute_type=compute_type_for(device), cpu_threads=threads)
        model.workbench_device = device  # where it really runs, for the layers' metadata
        return model

    try:
        return store.cached_load(model_id, device, load)
    except (RuntimeError, ValueError, OSError) as exc:
        from workbench.core.compute import is_cuda_failure

        if not device.startswith("cuda") or not is_cuda_failure(exc):
            raise
        log.warning("Whisper on %s failed (%s); using the CPU", device, exc)
        return load_whisper(model_id, "cpu", store)


def transcribe(
    samples_16k: np.ndarray,
    model_id: str = "whisper-base",
    device: str = "cpu",
    language: str | None = None,
    word_timestamps: bool = True,
    progress: Callable[[float, str], None] | None = None,
    store: ModelStore | None = None,
    beam_size: int = 5,
    offset: float = 0.0,
    skip_silence: bool = True,
    on_partial: Callable[[Segments, Words], None] | None = None,
) -> tuple[Segments, Words]:
    """Transcribe mono 16 kHz float32 ``samples_16k``; returns (Segments, Words) layers, times in seconds + ``offset``.

    ``language`` is an ISO code ('en', 'de', ...) or None to detect it. ``progress(fraction, text)`` follows the
    end time of each decoded segment (faster-whisper decodes 30 s windows one after the other); raising from it
    (e.g. :class:`JobCancelled`) stops the transcription there. ``skip_silence`` lets faster-whisper's own
    Silero VAD drop pauses longer than 0.5 s before decoding: Whisper then cannot invent words in silence and
    word times stay close to the speech (without it the first word of a window is stretched back to the
    window's start).
    """
    try:
        return _transcribe(samples_16k, model_id, device, language, word_timestamps, progress, store, beam_size,
                           offset, skip_silence, on_partial)
    except (RuntimeError, ValueError, OSError) as exc:
        from workbench.core.compute import is_cuda_failure

        # CUDA can fail inside decoding (a missing cuBLAS/cuDNN symbol, out of memory), not only at load time
        if not device.startswith("cuda") or not is_cuda_failure(exc):
            raise
        log.warning("Whisper on %s failed while transcribing (%s); transcribing on the CPU", device, exc)
        store = store or default_store()
        store.release(device)
        segments, words = _transcribe(samples_16k, model_id, "cpu", language, word_timestamps, progress, store,
                                      beam_size, offset, skip_silence, on_partial)
        note = f"CUDA failed on {device} ({type(exc).__name__}: {str(exc)[:100]}); transcribed on the CPU"
        for layer in (segments, words):
            layer.metadata.setdefault("notes", []).append(note)
        return segments, words


def _transcribe(samples_16k, model_id, device, language, word_timestamps, progress, store, beam_size, offset,
                skip_silence, on_partial=None) -> tuple[Segments, Words]:
    audio = np.ascontiguousarray(samples_16k, dtype=np.float32).reshape(-1)
    duration = len(audio) / SAMPLE_RATE
    model = load_whisper(model_id, device, store)
    device = getattr(model, "workbench_device", device)
    if language and language not in _languages(model):
        raise InvalidParameterError(f"Unknown language code '{language}' for Whisper")
    if language and model_id.endswith(".en") and language != "en":
        raise InvalidParameterError(f"{model_id} understands English only; choose whisper-base for '{language}'")
    starts, ends, texts, confs = [], [], [], []
    w_starts, w_ends, w_texts, w_probs = [], [], [], []
    if duration < 0.1:  # Whisper hallucinates on (near) empty input
        segments, detected = [], language or ""
    else:
        segments, info = model.transcribe(
            audio, language=language or None, word_timestamps=word_timestamps, beam_size=beam_size,
            condition_on_previous_text=False,  # avoids repetition loops on long files
            vad_filter=skip_silence, vad_parameters={"min_silence_duration_ms": 500, "speech_pad_ms": 100},
        )
        detected = info.language
    meta = {"model": model_id, "language": detected, "device": device}

    def layers() -> tuple[Segments, Words]:
        return (Segments(name="transcript", starts=list(starts), ends=list(ends), texts=list(texts),
                         confidences=list(confs), metadata=dict(meta)),
                Words(name="words", starts=list(w_starts), ends=list(w_ends), texts=list(w_texts),
                      confidences=list(w_probs), metadata=dict(meta)))

    last_partial = time.monotonic()
    for seg in segments:
        starts.append(seg.start + offset)
        ends.append(min(seg.end, duration) + offset)
        texts.append(seg.text.strip())
        confs.append(float(np.exp(seg.avg_logprob)))
        for w in seg.words or ():
            w_starts.append(min(w.start, duration) + offset)
            w_ends.append(min(w.end, duration) + offset)
            w_texts.append(w.word.strip())
            w_probs.append(w.probability)
        if on_partial is not None and time.monotonic() - last_partial >= PARTIAL_EVERY_S:
            last_partial = time.monotonic()  # the words so far, drawn while the rest is decoded
            on_partial(*layers())
        if progress:
            progress(min(1.0, seg.end / max(duration, 1e-9)), f"transcribed {seg.end:.0f} of {duration:.0f} s")
    return layers()


def _languages(model) -> set[str]:
    """Every language code Whisper knows (English-only models are checked separately)."""
    from faster_whisper.tokenizer import _LANGUAGE_CODES

    return set(_LANGUAGE_CODES)
