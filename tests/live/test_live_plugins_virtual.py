"""Live transcription and live vocal separation through the virtual microphone."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest
import soundfile as sf

from workbench.core.layers import Words
from workbench.core.resample import resample_array
from workbench.live.session import LiveSession

from .conftest import PaPlayer, needs_virtual_mic, pulse_route, run_for, tone, wait_until_flowing

pytestmark = needs_virtual_mic
PLAY_RATE = 48000  # Hz
SENTENCE = "the quick brown fox jumps over the lazy dog"


@pytest.fixture(scope="module")
def speech(tmp_path_factory):
    """espeak-ng speaking SENTENCE: (mono float32, rate)."""
    path = tmp_path_factory.mktemp("speech") / "fox.wav"
    subprocess.run(["espeak-ng", "-w", str(path), SENTENCE], check=True)
    x, sr = sf.read(str(path), dtype="float32")
    x = resample_array(x, sr, PLAY_RATE)  # played and captured at the sink's own rate
    return 0.5 * x / np.max(np.abs(x)), PLAY_RATE


@pytest.fixture(scope="module")
def transcriber_factory():
    from workbench.live.live_plugins import make_processor

    make_processor("transcription", device="cpu")  # loads Whisper tiny.en and Silero once (the asr plugin's)
    return lambda: make_processor("transcription", device="cpu")


def test_live_transcript_contains_the_spoken_words(virtual_sink, speech, transcriber_factory, tmp_path):
    x, sr = speech
    session = LiveSession(sample_rate=sr)
    session.add_driver("transcription", transcriber_factory(), 0.1)
    session.start()
    partial, final = [], []

    def collect(u):
        for _, layer in u.layers:
            (partial if layer.metadata.get("partial") else final).append(layer)

    try:
        wait_until_flowing(session)
        start = session.poll().start_time
        player = PaPlayer(np.concatenate([x, np.zeros(sr, np.float32)]), sr, tmp_path / "speech.wav")
        run_for(session, 20.0, collect, until=lambda: any(isinstance(w, Words) for w in final))
        player.wait()
    finally:
        session.stop()
    collect(type("U", (), {"layers": session.final_layers})())
    words = [w for w in final if isinstance(w, Words)]
    assert words, "no final transcript arrived"
    heard = " ".join(w.text for w in words).lower()
    expected = ["quick", "brown", "fox", "over", "lazy", "dog"]
    assert sum(e in heard for e in expected) >= 4, (heard, session.dropouts)  # tiny.en may mishear a word
    assert any(p.text for p in partial), "no partial text was shown while speaking"
    # Word times on the capture clock: inside the time the sentence was playing.
    starts = np.concatenate([w.starts for w in words])
    assert starts.min() >= start - 0.1 and starts.max() <= start + len(x) / sr + 1.0
    assert np.all(np.diff(starts) >= 0)


def test_live_separation_plays_the_vocals_on_the_output(virtual_sink, second_sink, speech, tmp_path):
    from workbench.live.live_plugins import make_processor
    from workbench.live.monitor import OutputPlayer

    x, sr = speech
    bass = tone(110.0, 2.5, sr, 0.3, harmonics=8)
    gap = np.zeros(sr // 2, np.float32)
    played = np.concatenate([x, gap, bass, gap])  # speech, then an instrument-like tone
    with pulse_route(sink=second_sink):  # the separated audio must not reach the microphone
        player_out = OutputPlayer(sample_rate=44100)
    blocks, latencies = [], []

    def tee(block, t0):
        blocks.append(block)
        latencies.append((len(block), separator.added_latency))  # set just before each block is handed over
        player_out.write(block)

    separator = make_processor("separation", device="cpu")  # the separation plugin's vocals monitor
    RATE = separator.output_rate
    separator.on_output = tee
    session = LiveSession(sample_rate=sr)
    session.add_driver("separation", separator, 0.05)
    session.start()
    try:
        wait_until_flowing(session)
        session.start_recording()
        src = PaPlayer(played, sr, tmp_path / "mix.wav")
        run_for(session, 15.0, until=lambda: src.finished)
        src.wait()
        run_for(session, 1.5)
        captured = resample_array(session.finish_recording().samples[0], sr, RATE)  # on the stem's clock
    finally:
        session.stop()
        player_out.close()
    out = np.concatenate(blocks)
    assert player_out.played > RATE  # the output device really played
    # Find the speech and the tone in the capture by their energy, then compare the vocal stem's level there.
    env = np.sqrt(np.convolve(captured ** 2, np.ones(2205) / 2205, "same"))
    loud = env > 0.02
    edges = np.flatnonzero(np.diff(loud.astype(int)))
    assert len(edges) >= 2
    tone_start = next(e for e in edges[1:] if loud[e + 1] and e > edges[0] + len(x) * RATE // sr * 0.8)
    speech_part = slice(int(edges[0]) + 2205, int(edges[0]) + len(x) * RATE // sr - 4410)
    tone_part = slice(int(tone_start) + 4410, int(tone_start) + len(bass) * RATE // sr - 4410)
    offset = len(captured) - len(out)  # the separator started with the recording minus its first drain
    rms = lambda a: float(np.sqrt(np.mean(a ** 2)))  # noqa: E731
    ratio_speech = rms(out[speech_part.start - offset:speech_part.stop - offset]) / rms(captured[speech_part])
    ratio_tone = rms(out[tone_part.start - offset:tone_part.stop - offset]) / rms(captured[tone_part])
    assert ratio_speech > 0.5 and ratio_tone < 0.2, (ratio_speech, ratio_tone)
    # A full block's latency: its length and the look-ahead, plus compute (a flushed last block is shorter)
    for n, latency in latencies:
        assert (n + separator.lookahead) / RATE < latency < 3.0
    assert any(n == separator.block for n, _ in latencies)
