"""Diarization on real (espeak-ng) speech: two voices taking turns, one voice, silence, music, a 1 s clip; RTTM;
speakers on ASR segments and in SRT."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.core.audio import AudioBuffer
from workbench.core.errors import WorkbenchError
from workbench.core.export.subtitles import segments_srt
from workbench.core.layers import Events, Segments
from workbench.core.registry import default_registry
from workbench.core.resample import resample_array
from workbench_plugins.diarization.assign import assign_speakers
from workbench_plugins.diarization.plugin import process
from workbench_plugins.diarization.rttm import read_rttm, write_rttm

from .synth import harmonic_tone, speech

RATE = 16000
SENTENCES = ["The library opens at nine in the morning and closes at six in the evening.",
             "Please bring your own coffee cup to the meeting tomorrow afternoon.",
             "The bus to the city center leaves every twenty minutes from the main square.",
             "She planted tomatoes and potatoes in the garden behind her house."]


def _say(text: str, voice: str, path) -> np.ndarray:
    x, sr = speech(text, path, voice=voice)
    return resample_array(x, sr, RATE)


@pytest.fixture(scope="module")
def conversation(tmp_path_factory):
    """Voices en-us (male) and en+f3 (female) alternating, 0.7 s apart: (AudioBuffer, [(start, end, voice)])."""
    folder = tmp_path_factory.mktemp("conv")
    parts, truth, t = [np.zeros(int(0.3 * RATE), np.float32)], [], 0.3
    for i, s in enumerate(SENTENCES):
        voice = "en-us" if i % 2 == 0 else "en+f3"
        x = _say(s, voice, folder / f"{i}.wav")
        truth.append((t, t + len(x) / RATE, voice))
        parts += [x, np.zeros(int(0.7 * RATE), np.float32)]
        t += len(x) / RATE + 0.7
    return AudioBuffer(np.concatenate(parts)[None], RATE, name="talk"), truth


def _majority(layer: Events, a: float, b: float) -> tuple[str, float]:
    """The label covering most of [a, b) and the share of [a, b) it covers."""
    cover: dict[str, float] = {}
    for s, e, k in zip(layer.starts, layer.ends, layer.labels):
        cover[k] = cover.get(k, 0.0) + max(0.0, min(e, b) - max(s, a))
    best = max(cover, key=cover.get)
    return best, cover[best] / (b - a)


def test_two_voices_get_two_speakers_in_turn(conversation, ctx):
    audio, truth = conversation
    (layer,) = process(audio, {"speakers": 0}, ctx)
    assert isinstance(layer, Events)
    assert layer.classes == ["Speaker 1", "Speaker 2"]
    assert layer.metadata["speakers"] == ["Speaker 1", "Speaker 2"]
    labels = []
    for a, b, _ in truth:
        label, share = _majority(layer, a, b)
        assert share > 0.85, f"turn {a:.1f}-{b:.1f} s only {share:.0%} covered by {label}"
        labels.append(label)
    assert labels == ["Speaker 1", "Speaker 2", "Speaker 1", "Speaker 2"]
    assert ctx.reports[-1][0] == 1.0


def test_speaker_count_can_be_set(conversation, ctx):
    audio, _ = conversation
    (layer,) = process(audio, {"speakers": 1}, ctx)
    assert layer.classes == ["Speaker 1"]


def test_one_voice_is_one_speaker(tmp_path, ctx):
    x = np.concatenate([np.concatenate([_say(s, "en-us", tmp_path / f"{i}.wav"), np.zeros(8000, np.float32)])
                        for i, s in enumerate(SENTENCES[:3])])
    (layer,) = process(AudioBuffer(x[None], RATE), {}, ctx)
    assert layer.classes == ["Speaker 1"]


def test_one_second_clip_is_one_speaker(tmp_path, ctx):
    x = _say("Hello there.", "en-us", tmp_path / "short.wav")[:RATE]
    (layer,) = process(AudioBuffer(np.pad(x, (0, RATE - len(x)))[None], RATE), {}, ctx)
    assert layer.classes == ["Speaker 1"]


def test_silence_and_music_are_no_speech(ctx):
    with pytest.raises(WorkbenchError, match="No speech found"):
        process(AudioBuffer(np.zeros((1, 5 * RATE), np.float32), RATE), {}, ctx)
    rng = np.random.default_rng(0)
    notes = [harmonic_tone(np.full(RATE // 2, 220.0 * 2 ** (p / 12)), RATE) for p in rng.integers(0, 12, 12)]
    music = np.concatenate(notes).astype(np.float32)
    try:
        (layer,) = process(AudioBuffer(music[None], RATE), {}, ctx)
    except WorkbenchError as exc:
        assert "No speech found" in str(exc)
    else:  # the VAD may hear a voice in a harmonic tone; then it must not invent a crowd
        assert len(layer.classes) <= 1


def test_rttm_round_trip(tmp_path):
    layer = Events(name="speakers", starts=[2.5, 0.0], ends=[4.0, 2.25], labels=["Speaker 2", "Speaker 1"])
    (path,) = write_rttm(layer, tmp_path / "talk.rttm", AudioBuffer(np.zeros((1, 10)), RATE, name="my talk.wav"))
    assert path.read_text().splitlines() == [
        "SPEAKER my_talk 1 0.000 2.250 <NA> <NA> Speaker_1 <NA> <NA>",
        "SPEAKER my_talk 1 2.500 1.500 <NA> <NA> Speaker_2 <NA> <NA>",
    ]
    assert read_rttm(path) == [("my_talk", 0.0, 2.25, "Speaker_1"), ("my_talk", 2.5, 4.0, "Speaker_2")]


def test_rttm_exporter_is_contributed():
    manifest = default_registry().get("diarization")
    assert manifest.requires == ("vad",)
    (exporter,) = manifest.exporters
    assert (exporter.kind, exporter.extension) == ("events", ".rttm")
    from workbench.core.contributions import resolve

    assert resolve(exporter.writer) is write_rttm


def test_segments_get_speakers_and_srt_shows_them(tmp_path):
    turns = Events(name="speakers", starts=[0.0, 3.0], ends=[2.8, 6.0], labels=["Speaker 1", "Speaker 2"])
    seg = Segments(name="transcript", starts=[0.1, 2.6, 6.5, 20.0], ends=[2.5, 5.0, 7.0, 21.0],
                   texts=["Hello.", "Hi there.", "Bye.", "Later."])
    assign_speakers(seg, turns)
    assert seg.metadata["speakers"] == ["Speaker 1", "Speaker 2", "Speaker 2", ""]
    text = segments_srt(seg, tmp_path / "t.srt")[0].read_text()
    assert "[Speaker 1] Hello." in text and "[Speaker 2] Hi there." in text and "\nLater.\n" in text


def test_asr_with_speakers_labels_segments(conversation, job):
    from workbench.core.params import resolve_params
    from workbench.core.plugin_api import run_process

    audio, truth = conversation
    manifest = default_registry().get("asr")
    params = resolve_params(manifest.params, {"model": "tiny.en", "speakers": True, "beam_size": 1})
    segments, words = run_process(manifest, audio, params, job())
    assert len(segments.metadata["speakers"]) == len(segments)
    assert len(words.metadata["speakers"]) == len(words)
    for a, b, who in zip(segments.starts, segments.ends, segments.metadata["speakers"]):
        voice = next(v for s, e, v in truth if s - 0.5 <= (a + b) / 2 <= e + 0.5)
        assert who == ("Speaker 1" if voice == "en-us" else "Speaker 2")
