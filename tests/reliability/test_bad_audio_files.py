"""Generated bad audio files: each is refused with one clear line naming the file, or loads what it can with a
warning. None crashes, hangs (a FIFO) or allocates what its header claims instead of what the file holds."""

from __future__ import annotations

import os
import struct
import tracemalloc

import numpy as np
import pytest
import soundfile as sf

from workbench.core.audio_io import load_audio
from workbench.core.errors import AudioLoadError

SR = 16000
TONE = (0.3 * np.sin(2 * np.pi * 440 * np.arange(3 * SR) / SR)).astype(np.float32)


def _wav_header(channels=1, rate=SR, bits=16, data_bytes=0, fmt_tag=1) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, rate, rate * block, block, bits)
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", data_bytes))


def _flac_bytes(tmp_path) -> bytes:
    sf.write(tmp_path / "src.flac", TONE, SR, subtype="PCM_16")
    return (tmp_path / "src.flac").read_bytes()


def _flac_claiming(tmp_path, total_samples: int, keep: int) -> bytes:
    """A real FLAC whose STREAMINFO claims ``total_samples`` (36-bit field), cut to ``keep`` bytes."""
    data = bytearray(_flac_bytes(tmp_path))
    off = 8 + 10  # "fLaC" + block header, then 10 bytes of block/frame sizes: rate(20) ch(3) bps(5) total(36)
    word = int.from_bytes(data[off:off + 8], "big")
    word = (word & ~((1 << 36) - 1)) | (total_samples & ((1 << 36) - 1))
    data[off:off + 8] = word.to_bytes(8, "big")
    data[off + 8:off + 24] = bytes(16)  # no MD5 to compare
    return bytes(data[:keep])


REFUSED = {  # name -> (file contents maker, words the one-line message must contain)
    "random.mp3": (lambda t: os.urandom(20_000), "not a valid MP3"),
    "random.wav": (lambda t: os.urandom(20_000), "not a valid WAV"),
    "random.flac": (lambda t: os.urandom(20_000), "not a valid FLAC"),
    "random.ogg": (lambda t: os.urandom(20_000), "not a valid OGG"),
    "random.m4a": (lambda t: os.urandom(20_000), "m4a"),
    "random.aiff": (lambda t: os.urandom(5_000), "AIFF"),
    "png.wav": (lambda t: b"\x89PNG\r\n\x1a\n" + os.urandom(3000), "WAV"),
    "text.wav": (lambda t: b"this is not audio at all\n" * 100, "WAV"),
    "empty.wav": (lambda t: b"", "empty (0 bytes)"),
    "header_only.wav": (lambda t: _wav_header(data_bytes=0), "no audio samples"),
    "zero_channels.wav": (lambda t: _wav_header(channels=0, data_bytes=100) + bytes(100), "WAV"),
    "rate_zero.wav": (lambda t: _wav_header(rate=0, data_bytes=3200) + bytes(3200), "WAV"),
    "rate_10MHz.wav": (lambda t: _wav_header(rate=10_000_000, data_bytes=3200) + bytes(3200), "sample rate"),
    "flac_cut_in_header.flac": (lambda t: _flac_bytes(t)[:30], "FLAC"),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_bad_file_is_refused_with_one_clear_line(tmp_path, name):
    make, words = REFUSED[name]
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    with pytest.raises(AudioLoadError) as err:
        load_audio(path)
    message = str(err.value)
    assert "\n" not in message and str(path) in message, message
    assert words.lower() in message.lower(), message
    assert "possibly a pipe" not in message and "does not exist" not in message, message


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(AudioLoadError, match="does not exist"):
        load_audio(tmp_path / "nothing.wav")
    (tmp_path / "folder.wav").mkdir()
    with pytest.raises(AudioLoadError, match="folder"):
        load_audio(tmp_path / "folder.wav")


def test_fifo_is_named_a_pipe_not_empty_and_does_not_block(tmp_path):
    fifo = tmp_path / "live.wav"
    os.mkfifo(fifo)
    with pytest.raises(AudioLoadError) as err:
        load_audio(fifo)  # opening a FIFO for reading would block forever: must be refused before
    assert "pipe" in str(err.value) and "0 bytes" not in str(err.value)


LOADS_PARTLY = {  # name -> (contents maker, minimum seconds expected)
    "truncated.wav": (lambda t: _wav_header(data_bytes=3 * SR * 2) + (TONE[: SR] * 32767).astype("<i2").tobytes(),
                      0.99),
    "truncated.flac": (lambda t: _flac_bytes(t)[: len(_flac_bytes(t)) // 2], 0.5),
}


@pytest.mark.parametrize("name", list(LOADS_PARTLY))
def test_truncated_files_load_what_is_there_with_a_warning(tmp_path, name):
    """One policy for WAV and FLAC: keep the decodable part and say the file is truncated or damaged."""
    make, at_least = LOADS_PARTLY[name]
    path = tmp_path / name
    path.write_bytes(make(tmp_path))
    audio = load_audio(path)
    assert at_least <= audio.duration < 3.0
    assert any("truncated" in w for w in audio.warnings), audio.warnings


def test_flac_claiming_2_to_the_36_samples_allocates_only_what_it_holds(tmp_path):
    """A 21 KB FLAC whose header claims 2^36 samples (256 GiB as float32) must not try to allocate that."""
    path = tmp_path / "liar.flac"
    path.write_bytes(_flac_claiming(tmp_path, (1 << 36) - 1, 21_000))
    tracemalloc.start()
    try:
        audio = load_audio(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 0 < audio.duration <= 3.0
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_wav_data_chunk_claiming_4_gib_loads_what_is_there(tmp_path):
    path = tmp_path / "liar.wav"
    pcm = (TONE * 32767).astype("<i2").tobytes()
    path.write_bytes(_wav_header(data_bytes=0xFFFFFFF0 - 36) + pcm)
    tracemalloc.start()
    try:
        audio = load_audio(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert abs(audio.duration - 3.0) < 0.01
    assert peak < 200 * 2**20, f"peak {peak / 2**20:.0f} MiB"


def test_nan_samples_load_as_silence_with_a_warning(tmp_path):
    x = TONE.copy()
    x[100:200] = np.nan
    sf.write(tmp_path / "nan.wav", x, SR, subtype="FLOAT")
    audio = load_audio(tmp_path / "nan.wav")
    assert np.isfinite(audio.samples).all() and any("NaN" in w for w in audio.warnings)


def test_unicode_path_loads(tmp_path):
    path = tmp_path / "Ça va — 日本語 🎵.wav"
    sf.write(path, TONE, SR)
    assert abs(load_audio(path).duration - 3.0) < 1e-6
