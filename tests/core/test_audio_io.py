"""Audio loading and saving: every supported format round-trips, every bad input gets a clear error."""

from __future__ import annotations

import struct
import subprocess
import shutil

import numpy as np
import pytest
import soundfile as sf

from workbench.core.audio import AudioBuffer
from workbench.core.audio_io import load_audio, save_audio
from workbench.core.errors import AudioLoadError, WorkbenchError

SR = 22050


def tone(seconds=0.5, sr=SR, freq=440.0, channels=2):
    t = np.arange(int(seconds * sr)) / sr
    x = 0.5 * np.sin(2 * np.pi * freq * t)
    return np.stack([x * (0.5 + 0.5 * c / max(1, channels - 1)) for c in range(channels)]).astype(np.float32)


@pytest.mark.parametrize("ext,fmt,subtype", [
    ("wav", "WAV", "PCM_16"), ("flac", "FLAC", "PCM_16"), ("ogg", "OGG", "VORBIS"),
    ("aiff", "AIFF", "PCM_16"), ("mp3", "MP3", "MPEG_LAYER_III"),
])
def test_soundfile_formats_load_as_float32_channels_first(tmp_path, ext, fmt, subtype):
    x = tone()
    path = tmp_path / f"a.{ext}"
    sf.write(path, x.T, SR, format=fmt, subtype=subtype)
    buf = load_audio(path)
    assert buf.samples.dtype == np.float32 and buf.channels == 2 and buf.sample_rate == SR
    assert abs(buf.duration - 0.5) < 0.06  # lossy codecs pad a little
    n = min(buf.num_samples, x.shape[1])
    if ext in ("wav", "flac", "aiff"):
        assert np.max(np.abs(buf.samples[:, :n] - x[:, :n])) < 1e-3
    assert buf.warnings == ()
    assert not buf.samples.flags.writeable


def test_m4a_through_pyav(tmp_path):
    import av
    path = tmp_path / "a.m4a"
    x = tone(1.0, 44100, channels=1)
    with av.open(str(path), "w") as c:
        s = c.add_stream("aac", rate=44100, layout="mono")
        frame = av.AudioFrame.from_ndarray(x, format="flt", layout="mono")
        frame.sample_rate = 44100
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    buf = load_audio(path)
    assert buf.sample_rate == 44100 and buf.channels == 1
    assert 0.9 < buf.duration < 1.2
    spec = np.abs(np.fft.rfft(buf.samples[0]))
    assert abs(np.argmax(spec) * 44100 / buf.num_samples - 440) < 5


def test_m4a_encoded_with_pyav_always(tmp_path):
    """PyAV ships its own FFmpeg, so this container test never depends on system tools."""
    import av
    path = tmp_path / "b.mp4"
    x = tone(0.5, 48000, channels=2)
    with av.open(str(path), "w") as c:
        s = c.add_stream("aac", rate=48000, layout="stereo")
        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x), format="fltp", layout="stereo")
        frame.sample_rate = 48000
        for p in s.encode(frame):
            c.mux(p)
        for p in s.encode(None):
            c.mux(p)
    buf = load_audio(path)
    assert buf.channels == 2 and buf.sample_rate == 48000


def test_missing_file(tmp_path):
    with pytest.raises(AudioLoadError, match="does not exist") as e:
        load_audio(tmp_path / "nope.wav")
    assert "nope.wav" in str(e.value)


def test_folder_is_not_audio(tmp_path):
    with pytest.raises(AudioLoadError, match="folder"):
        load_audio(tmp_path)


def test_empty_file(tmp_path):
    p = tmp_path / "empty.wav"
    p.write_bytes(b"")
    with pytest.raises(AudioLoadError, match="empty"):
        load_audio(p)


def test_zero_length_audio(tmp_path):
    p = tmp_path / "zero.wav"
    sf.write(p, np.zeros((0, 1), np.float32), SR)
    with pytest.raises(AudioLoadError, match="no audio samples"):
        load_audio(p)


def test_corrupt_header(tmp_path):
    p = tmp_path / "bad.wav"
    p.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunkjunkjunk" + bytes(range(256)) * 4)
    with pytest.raises(AudioLoadError, match="bad.wav") as e:
        load_audio(p)
    assert "corrupt" in str(e.value) or "not a WAV" in str(e.value)


def test_random_bytes_with_unknown_extension(tmp_path):
    p = tmp_path / "noise.xyz"
    p.write_bytes(np.random.default_rng(0).integers(0, 255, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(AudioLoadError, match="unsupported or unrecognised format '.xyz'"):
        load_audio(p)


def test_truncated_wav_loads_what_is_there_with_a_warning(tmp_path):
    p = tmp_path / "trunc.wav"
    sf.write(p, tone(1.0, channels=1).T, SR, subtype="PCM_16")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    buf = load_audio(p)
    assert 0.4 < buf.duration < 0.55
    assert any("truncated" in w for w in buf.warnings)


def test_nan_and_inf_are_sanitised_with_a_warning(tmp_path):
    p = tmp_path / "nan.wav"
    x = tone(0.2, channels=1)
    x[0, 10] = np.nan
    x[0, 20] = np.inf
    sf.write(p, x.T, SR, subtype="FLOAT")
    buf = load_audio(p)
    assert np.isfinite(buf.samples).all()
    assert buf.samples[0, 10] == 0 and buf.samples[0, 20] == 0
    assert any("NaN/Inf" in w and "2 " in w for w in buf.warnings)


def _wav_header(sr, channels, bits=16, frames=100):
    block = channels * bits // 8
    data_size = frames * block
    return (b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, channels, sr,
            sr * block, block, bits) + b"data" + struct.pack("<I", data_size) + bytes(data_size))


def test_absurd_sample_rate(tmp_path):
    p = tmp_path / "rate.wav"
    p.write_bytes(_wav_header(sr=3, channels=1))
    with pytest.raises(AudioLoadError, match="sample rate of 3 Hz"):
        load_audio(p)


def test_too_many_channels(tmp_path):
    p = tmp_path / "many.wav"
    p.write_bytes(_wav_header(sr=8000, channels=200))
    with pytest.raises(AudioLoadError, match="200 channels"):
        load_audio(p)


def test_save_and_reload_wav_flac(tmp_path):
    buf = AudioBuffer(tone(), SR)
    for ext in ("wav", "flac"):
        out = save_audio(buf, tmp_path / f"o.{ext}")
        back = load_audio(out)
        assert back.sample_rate == SR and back.channels == 2
        assert np.max(np.abs(back.samples - buf.samples)) < 1e-4
    assert not list(tmp_path.glob(".*tmp*"))  # temp files are cleaned up


def test_save_rejects_unknown_format(tmp_path):
    with pytest.raises(WorkbenchError, match="Cannot save audio as '.xyz'"):
        save_audio(AudioBuffer(tone(), SR), tmp_path / "o.xyz")


def test_espeak_speech_loads(tmp_path):
    if shutil.which("espeak-ng") is None:  # a system dependency (scripts/install_system_deps.sh): missing is a failure
        pytest.fail("espeak-ng is not installed: run scripts/install_system_deps.sh")
    p = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-w", str(p), "hello world"], check=True)
    buf = load_audio(p)
    assert buf.duration > 0.5 and buf.channels == 1
