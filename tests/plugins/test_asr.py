"""ASR plugin on espeak-ng speech made here: Whisper base and tiny.en, word times, progress, cancel."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.audio_io import load_audio
from workbench.core.errors import InvalidParameterError, JobCancelled, ModelUnavailableError
from workbench.core.layers import Segments, Words
from workbench.core.models import default_store
from workbench.core.params import resolve_params
from workbench.core.plugin_api import JobContext, run_process
from workbench_plugins.asr.manifest import MANIFEST
from workbench_plugins.asr.wer import corpus_wer, edit_distance, light_normalize, normalize, wer

SENTENCES = [
    "We are going for a walk in the park this afternoon.",
    "Please call me back when you have finished reading the report.",
    "My brother bought a new car last week.",
    "Open the window because it is very warm in this room.",
]


def espeak(text: str, path) -> AudioBuffer:
    subprocess.run(["espeak-ng", "-s", "150", "-w", str(path), text], check=True)
    return load_audio(path)


@pytest.fixture(scope="module")
def speech(tmp_path_factory) -> AudioBuffer:
    """The sentences spoken by espeak-ng (22.05 kHz), 0.5 s of silence before, between and after."""
    folder = tmp_path_factory.mktemp("asr")
    gap = np.zeros(11025, dtype=np.float32)
    parts = [gap]
    for i, s in enumerate(SENTENCES):
        buf = espeak(s, folder / f"s{i}.wav")
        parts += [buf.samples[0], gap]
    return AudioBuffer(np.concatenate(parts)[None], buf.sample_rate, name="espeak")


def _run(audio, **params):
    return run_process(MANIFEST, audio, resolve_params(MANIFEST.params, params), JobContext())


@pytest.fixture(scope="module")
def base_result(speech):
    return _run(speech, model="base")


@pytest.fixture(scope="module")
def tiny_result(speech):
    return _run(speech, model="tiny.en", beam_size=1)


def _check_words(words: Words, duration: float) -> None:
    assert len(words) >= 40
    assert np.all(words.ends >= words.starts)
    assert np.all(np.diff(words.starts) >= 0), "word start times must not go backwards"
    assert words.starts[0] >= 0.0 and words.ends[-1] <= duration + 1e-6
    assert words.starts[0] > 0.3  # the leading 0.5 s silence is not part of the first word


def test_base_transcribes_espeak_speech(speech, base_result):
    segments, words = base_result
    assert isinstance(segments, Segments) and isinstance(words, Words) and type(segments) is Segments
    assert segments.source == "asr" and segments.metadata["language"] == "en"
    assert wer(" ".join(SENTENCES), segments.text) <= 0.15, segments.text
    _check_words(words, speech.duration)
    assert wer(" ".join(SENTENCES), " ".join(words.texts)) <= 0.15


def test_tiny_en_transcribes_espeak_speech(speech, tiny_result):
    segments, words = tiny_result
    assert wer(" ".join(SENTENCES), segments.text) <= 0.25, segments.text
    _check_words(words, speech.duration)


def test_words_fall_inside_their_segments(base_result):
    segments, words = base_result
    mids = (words.starts + words.ends) / 2
    inside = [(segments.starts <= m + 0.05).any() and (segments.ends >= m - 0.05).any() for m in mids]
    assert all(inside)


def test_progress_then_cancel_stops_transcription(speech):
    seen: list[float] = []
    ctx = JobContext()

    def on_progress(fraction: float, text: str) -> None:
        seen.append(fraction)
        if text.startswith("transcribed"):
            ctx.cancel()  # cancel after the first decoded segment

    ctx.on_progress = on_progress
    params = resolve_params(MANIFEST.params, {"model": "tiny.en", "beam_size": 1})
    with pytest.raises(JobCancelled):
        run_process(MANIFEST, speech, params, ctx)
    assert seen == sorted(seen) and 0.02 <= seen[-1] < 1.0


def test_engine_transcribe_for_live_use(speech):
    from workbench_plugins.asr.engine import transcribe

    samples = speech.slice(0.0, 3.9).mono(16000).samples[0]
    segments, words = transcribe(samples, "whisper-tiny.en", "cpu", language="en", offset=10.0, beam_size=1)
    assert wer(SENTENCES[0], segments.text) <= 0.25
    assert words.starts[0] >= 10.0 and words.ends[-1] <= 10.0 + 3.9 + 1e-6
    empty, no_words = transcribe(np.zeros(800, np.float32), "whisper-tiny.en", "cpu")
    assert len(empty) == 0 and len(no_words) == 0


def test_language_choices_are_checked(speech):
    short = speech.slice(0, 1.0)
    with pytest.raises(InvalidParameterError, match="English only"):
        _run(short, model="tiny.en", language="de")
    with pytest.raises(InvalidParameterError, match="Unknown language"):
        _run(short, model="tiny.en", language="xx")


def test_online_models_missing_offline_say_how_to_get_them(speech):
    store = default_store()
    for choice, model_id in (("small", "whisper-small"), ("wav2vec2", "wav2vec2-asr-base-960h")):
        if store.is_available(model_id):
            continue  # fetched by the user: nothing to check here
        with pytest.raises(ModelUnavailableError, match=f"workbench models fetch {model_id}"):
            _run(speech.slice(0, 1.0), model=choice)


def test_wer_normalisation_and_edit_distance():
    # Whisper's English normaliser: spelled numbers to digits, British spellings, contractions, fillers
    assert normalize("Go forward 10 meters, Mr. Smith!") == normalize("go forward ten metres mister smith") == [
        "go", "forward", "10", "meters", "mister", "smith"]
    assert normalize("the fifteenth of May, nineteen sixty-one") == ["the", "15th", "of", "may", "1961"]
    assert normalize("I'm gonna colour it [laughs] uh") == ["i", "am", "going", "to", "color", "it"]
    assert wer("I'm gonna colour it", "i am going to color it.") == 0.0
    assert light_normalize("the 15th of May 1961") == ["the", "fifteenth", "of", "may", "nineteen", "sixty", "one"]
    assert edit_distance("a b c d".split(), "a x c".split()) == 2
    assert wer("the cat sat", "The cat sat.") == 0.0
    assert corpus_wer([("a b", "a"), ("c d e", "c d e f")]) == (2 / 5, 2, 5)


def test_words_arrive_while_the_transcription_runs(speech, monkeypatch):
    """Results as they arrive: the words decoded so far are handed out before the run ends."""
    from workbench_plugins.asr import engine

    monkeypatch.setattr(engine, "PARTIAL_EVERY_S", 0.0)  # hand out after every decoded segment
    partials = []
    ctx = JobContext(on_emit=lambda layers: partials.append(layers))
    final = run_process(MANIFEST, speech, resolve_params(MANIFEST.params, {"model": "tiny.en", "beam_size": 1}), ctx)
    final_words = next(layer for layer in final if isinstance(layer, Words)).texts
    assert len(partials) >= 2  # the sentences are separate segments
    first = next(layer for layer in partials[0] if isinstance(layer, Words)).texts
    assert 0 < len(first) < len(final_words) and final_words[:len(first)] == first
