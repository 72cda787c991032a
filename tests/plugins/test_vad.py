"""VAD plugin: speech found in espeak-ng speech, nothing in white noise, tones or silence; streaming agrees."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.audio_io import load_audio
from workbench.core.layers import Events
from workbench.core.params import resolve_params
from workbench.core.plugin_api import JobContext, run_process
from workbench_plugins.vad.detector import FRAME, SpeechDetector
from workbench_plugins.vad.manifest import MANIFEST
from workbench_plugins.vad.plugin import load_model, stream

SR = 16000


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    """1 s silence, sentence (speech span known), 1.5 s silence, sentence, 1 s silence at 16 kHz."""
    path = tmp_path_factory.mktemp("vad") / "s.wav"
    subprocess.run(["espeak-ng", "-w", str(path), "Voice activity detection finds the parts with speech."],
                   check=True)
    s = load_audio(path).mono(SR).samples[0]
    loud = np.nonzero(np.abs(s) > 0.02)[0]
    s = s[loud[0]:loud[-1] + 1]
    x = np.concatenate([np.zeros(SR), s, np.zeros(int(1.5 * SR)), s, np.zeros(SR)]).astype(np.float32)
    n = len(s) / SR
    truth = [(1.0, 1.0 + n), (2.5 + n, 2.5 + 2 * n)]
    return AudioBuffer(x[None], SR), truth


def _run(audio, **params) -> Events:
    layers = run_process(MANIFEST, audio, resolve_params(MANIFEST.params, params), JobContext())
    assert len(layers) == 1 and isinstance(layers[0], Events)
    return layers[0]


def test_finds_the_two_spoken_sentences(speech):
    audio, truth = speech
    events = _run(audio)
    assert len(events) == 2 and events.labels == ["speech", "speech"]
    for (a, b), start, end in zip(truth, events.starts, events.ends):
        assert abs(start - a) < 0.2 and abs(end - b) < 0.35
    assert (events.confidences > 0.6).all()


@pytest.mark.parametrize("kind", ["white noise", "tones", "silence"])
def test_nothing_found_without_speech(kind):
    t = np.arange(6 * SR) / SR
    rng = np.random.default_rng(3)
    signal = {
        "white noise": 0.3 * rng.standard_normal(len(t)),
        "tones": 0.4 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1250 * t) * (t % 1 < 0.5),
        "silence": np.zeros(len(t)),
    }[kind]
    assert len(_run(AudioBuffer(signal.astype(np.float32)[None], SR))) == 0


def test_min_speech_drops_short_regions(speech):
    audio, truth = speech
    assert len(_run(audio, min_speech_ms=int((truth[0][1] - truth[0][0]) * 1000) + 500)) == 0


def test_long_min_silence_merges_sentences(speech):
    audio, _ = speech
    assert len(_run(audio, min_silence_ms=2500)) == 1


def test_streaming_matches_whole_file(speech):
    audio, _ = speech
    offline = _run(audio)
    params = resolve_params(MANIFEST.params, {})
    proc = stream(params, JobContext())
    x = audio.samples[0]
    layers = []
    for i in range(0, len(x), 1000):  # hops that are not multiples of the model's frame
        layers += proc.push(x[i:i + 1000], 5.0 + i / SR)
    layers += proc.flush()
    starts = np.concatenate([l.starts for l in layers])
    ends = np.concatenate([l.ends for l in layers])
    np.testing.assert_allclose(starts, offline.starts + 5.0, atol=1e-6)
    np.testing.assert_allclose(ends, offline.ends + 5.0, atol=1e-6)


def test_detector_fed_512_sample_frames_reports_start_then_end(speech):
    audio, truth = speech
    det = SpeechDetector(model=load_model())
    x = audio.samples[0]
    events = []
    for i in range(0, len(x) - FRAME + 1, FRAME):
        for e in det.push(x[i:i + FRAME]):
            events.append((e.kind, e.time, i / SR))
    assert [k for k, _, _ in events] == ["start", "end", "start", "end"]
    # each event is known soon after it happens (live use): start after min speech, end after min silence
    for kind, when, known_at in events:
        assert 0 <= known_at - when < 0.5
