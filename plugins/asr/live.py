"""Live transcription: Silero VAD finds utterances in the stream, Whisper (faster-whisper) transcribes them.

:class:`LiveTranscriber` is a :class:`StreamProcessor` at 16 kHz. While an utterance is going on it re-runs a
fast greedy Whisper pass on the audio so far every ``partial_every`` seconds and returns a ``Segments`` layer
with ``metadata["partial"] = True`` (the text to show while speaking). When the VAD closes the utterance (or
it reaches ``max_utterance`` seconds) it returns the final ``Segments`` and ``Words`` layers (``partial`` False)
with times in seconds on the stream's clock. Uses this plugin's Whisper engine and the VAD plugin's detector
(declared in the manifest's ``requires``), and the model store's Whisper models. The live panel finds it through
the manifest's ``LiveProcessor`` contribution (:func:`make_processor`).

Threading: one worker thread pushes, in order (the streaming driver's).
"""

from __future__ import annotations

import numpy as np

from workbench.core.layers import Segments

RATE = 16000  # Hz


class LiveTranscriber:
    sample_rate = RATE

    def __init__(self, model_id: str = "whisper-tiny.en", device: str = "cpu", language: str | None = None,
                 partial_every: float = 1.0, max_utterance: float = 20.0, threshold: float = 0.5,
                 min_silence: float = 0.3, store=None):
        from workbench_plugins.vad.detector import SpeechDetector
        from workbench_plugins.vad.plugin import load_model

        from . import engine

        self._engine = engine
        self.model_id, self.device, self.language, self.store = model_id, device, language, store
        if model_id.endswith(".en") and not language:
            self.language = "en"
        self.partial_every, self.max_utterance = partial_every, max_utterance
        engine.load_whisper(model_id, device, store)  # load now, not at the first word
        self.detector = SpeechDetector(threshold=threshold, min_silence=min_silence, model=load_model(store))
        self._origin: float | None = None
        self._audio = np.zeros(0, np.float32)  # recent audio; _audio[0] is stream sample _audio_start
        self._audio_start = 0
        self._received = 0
        self._utterance_start: float | None = None  # seconds since origin
        self._last_partial = 0.0
        self.partial_text = ""

    def push(self, samples, t0: float) -> list:
        x = np.asarray(samples, np.float32).reshape(-1)
        if self._origin is None:
            self._origin = float(t0)
        self._audio = np.concatenate([self._audio, x])
        self._received += len(x)
        out = []
        for ev in self.detector.push(x):
            if ev.kind == "start":
                self._utterance_start, self._last_partial = ev.time, ev.time
            elif ev.kind == "end" and self._utterance_start is not None:
                out += self._final(self._utterance_start, ev.time)
        now = self._received / RATE
        if self._utterance_start is not None:
            if now - self._utterance_start >= self.max_utterance:
                out += self._final(self._utterance_start, now)
                self._utterance_start = now
            elif now - self._last_partial >= self.partial_every:
                self._last_partial = now
                out += self._partial(self._utterance_start, now)
        self._trim(now)
        return out

    def flush(self) -> list:
        out = []
        for ev in self.detector.flush():
            if ev.kind == "start":
                self._utterance_start = ev.time
            elif ev.kind == "end" and self._utterance_start is not None:
                out += self._final(self._utterance_start, ev.time)
        return out

    def _slice(self, start: float, end: float) -> np.ndarray:
        a = max(0, int(start * RATE) - self._audio_start)
        b = max(a, int(end * RATE) - self._audio_start)
        return self._audio[a:b]

    def _partial(self, start: float, end: float) -> list:
        seg, _ = self._engine.transcribe(self._slice(start, end), self.model_id, self.device, self.language,
                                         word_timestamps=False, store=self.store, beam_size=1,
                                         offset=self._origin + start)
        self.partial_text = seg.text
        seg.name = "live transcript (partial)"
        seg.metadata["partial"] = True
        return [seg]

    def _final(self, start: float, end: float) -> list:
        self._utterance_start = None
        seg, words = self._engine.transcribe(self._slice(start, end), self.model_id, self.device, self.language,
                                             word_timestamps=True, store=self.store,
                                             offset=self._origin + start)
        self.partial_text = ""
        seg.name, words.name = "live transcript", "live words"
        for layer in (seg, words):
            layer.metadata["partial"] = False
        if not len(seg):  # a VAD region Whisper heard nothing in: clear the partial text anyway
            return [Segments(name="live transcript (partial)", metadata={"partial": True})]
        return [seg, words]

    def _trim(self, now: float) -> None:
        """Keep the open utterance (or the last second) and drop older audio."""
        keep_from = self._utterance_start if self._utterance_start is not None else now - 1.0
        cut = int(max(0.0, keep_from - 0.5) * RATE) - self._audio_start
        if cut > RATE:
            self._audio = self._audio[cut:]
            self._audio_start += cut


def make_processor(params: dict, ctx) -> LiveTranscriber:
    """The live panel's factory (``LiveProcessor`` contribution): loads Whisper and the VAD now."""
    keys = ("partial_every", "max_utterance", "threshold", "min_silence")
    language = (params.get("language") or "auto").strip().lower()
    return LiveTranscriber(params.get("model_id", "whisper-tiny.en"), ctx.device, store=ctx.models,
                           language=None if language == "auto" else language,
                           **{k: params[k] for k in keys if k in params})
