"""Streaming decode: the same audio as load_audio, previews of the decoded part while it runs, and every
irregular file handed to load_audio (same messages and warnings)."""

import numpy as np
import pytest
import soundfile as sf

from workbench.core import audio_stream
from workbench.core.audio_io import load_audio
from workbench.core.audio_stream import PREVIEW_BINS, stream_load
from workbench.core.errors import AudioLoadError

SR = 22050


def _signal(seconds=30.0, channels=2):
    rng = np.random.default_rng(5)
    t = np.arange(int(SR * seconds)) / SR
    x = np.stack([0.4 * np.sin(2 * np.pi * (200 + 100 * c) * t) for c in range(channels)])
    x += 0.05 * rng.standard_normal(x.shape)
    x[:, int(SR * seconds * 0.23)] = 0.99  # one loud click: the preview must show it
    return x.astype(np.float32)


@pytest.mark.parametrize("fmt,subtype", [("WAV", "PCM_16"), ("WAV", "PCM_24"), ("WAV", "PCM_32"),
                                          ("WAV", "FLOAT"), ("FLAC", "PCM_16")])
def test_same_samples_as_load_audio_with_growing_previews(tmp_path, monkeypatch, fmt, subtype):
    monkeypatch.setattr(audio_stream, "BLOCK_FRAMES", 1 << 15)  # many blocks on a short file
    x = _signal()
    path = tmp_path / f"a.{fmt.lower()}"
    sf.write(str(path), x.T, SR, format=fmt, subtype=subtype)
    previews = []
    got = stream_load(path, previews.append, every=0.0)
    ref = load_audio(path)
    assert got.sample_rate == ref.sample_rate and got.samples.shape == ref.samples.shape
    np.testing.assert_array_equal(got.samples, ref.samples)
    assert got.source == path and got.warnings == ()
    done = [p.decoded_frames for p in previews]
    assert done[0] == 0 and done[-1] == x.shape[1] and all(np.diff(done) >= 0) and len(done) > 10
    assert previews[0].duration == pytest.approx(30.0) and previews[0].channels == 2
    mid = previews[len(previews) // 2]
    assert 0 < mid.fraction < 1 and (mid.envelope[:, -10:] == 0).all()  # the undecoded end is still empty
    env = previews[-1].envelope
    edges = -(-np.arange(PREVIEW_BINS + 1) * x.shape[1] // PREVIEW_BINS)  # bin i: frames f with f*bins//n == i
    b = np.searchsorted(edges, int(SR * 30 * 0.23), side="right") - 1
    assert env[1, b] == pytest.approx(ref.samples[:, int(SR * 30 * 0.23)].max(), abs=1e-4)  # the click is in its bin
    lo = np.array([ref.samples[:, edges[i]:edges[i + 1]].min() for i in range(0, PREVIEW_BINS, 97)])
    np.testing.assert_allclose(env[0, ::97], lo, atol=1e-6)


def test_irregular_files_get_load_audios_messages(tmp_path):
    x = _signal(5.0)
    good = tmp_path / "t.wav"
    sf.write(str(good), x.T, SR, subtype="PCM_16")
    truncated = tmp_path / "cut.wav"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    got, ref = stream_load(truncated), load_audio(truncated)
    assert got.warnings == ref.warnings and got.warnings and got.num_samples == ref.num_samples
    nan = tmp_path / "nan.wav"
    y = x.copy()
    y[0, 100:110] = np.nan
    sf.write(str(nan), y.T, SR, subtype="FLOAT")
    got = stream_load(nan)
    assert np.isfinite(got.samples).all() and got.warnings == load_audio(nan).warnings
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF" + bytes(range(256)) * 10)
    with pytest.raises(AudioLoadError) as a:
        stream_load(junk)
    with pytest.raises(AudioLoadError) as b:
        load_audio(junk)
    assert str(a.value) == str(b.value)


@pytest.mark.parametrize("fmt,subtype", [("FLAC", "PCM_16"), ("MP3", "MPEG_LAYER_III"), ("OGG", "VORBIS")])
def test_compressed_files_decode_in_parallel_segments_exactly(tmp_path, monkeypatch, fmt, subtype):
    """Segments decoded side by side from exact seeks give the samples of one sequential read, and the
    previews only ever report a decoded prefix whose samples are final."""
    monkeypatch.setattr(audio_stream, "BLOCK_FRAMES", 1 << 14)
    monkeypatch.setattr(audio_stream, "SEGMENT_MIN_FRAMES", 1 << 16)
    monkeypatch.setattr(audio_stream.os, "cpu_count", lambda: 4)  # 4 segments even on a 2-core machine
    x = _signal(seconds=20.0)
    path = tmp_path / f"a.{fmt.lower()}"
    sf.write(str(path), x.T, SR, format=fmt, subtype=subtype)
    ref, _ = sf.read(str(path), dtype="float32", always_2d=True)
    checked = []
    tol = 1e-6 if fmt == "MP3" else 0.0  # libsndfile's MP3 floats depend on read sizes by one step

    def preview(p):
        n = p.decoded_frames
        checked.append(n)
        if p.samples is not None and n:  # what the window may draw is already the final audio
            np.testing.assert_allclose(p.samples[:, n - 100:n], ref.T[:, n - 100:n], rtol=0, atol=tol)

    got = stream_load(path, preview, every=0.0)
    np.testing.assert_allclose(got.samples, ref.T, rtol=0, atol=tol)
    assert all(np.diff(checked) >= 0) and checked[-1] == ref.shape[0] and len(checked) > 10


def test_a_seam_that_does_not_match_falls_back_to_one_pass(tmp_path, monkeypatch):
    monkeypatch.setattr(audio_stream, "SEGMENT_MIN_FRAMES", 1 << 16)
    monkeypatch.setattr(audio_stream.os, "cpu_count", lambda: 2)
    x = _signal(seconds=12.0)
    path = tmp_path / "a.flac"
    sf.write(str(path), x.T, SR, format="FLAC")
    monkeypatch.setattr(audio_stream, "_same_seam", lambda again, first: False)
    passes, previews = [], []
    real = audio_stream._decode_segments
    monkeypatch.setattr(audio_stream, "_decode_segments",
                        lambda *a, **k: passes.append(k.get("workers")) or real(*a, **k))
    got = stream_load(path, previews.append, every=0.0)
    assert passes == [None, 1]  # one sequential pass after the parallel one
    done = [p.decoded_frames for p in previews]
    assert all(np.diff(done) >= 0) and done[-1] == x.shape[1]  # the second pass never reports less
    np.testing.assert_array_equal(got.samples, sf.read(str(path), dtype="float32", always_2d=True)[0].T)


def test_seam_check_catches_a_shifted_seek_and_distrusts_silence():
    x = _signal(seconds=1.0)[:, :4096 + 7]
    first = x[:, 7:]
    assert audio_stream._same_seam(first + np.float32(6e-8), first)  # one float step: the same audio
    assert not audio_stream._same_seam(x[:, :4096], first)  # a seek 7 frames early
    silent = np.zeros_like(first)
    assert not audio_stream._same_seam(silent, silent)  # silence cannot prove where a seek landed
