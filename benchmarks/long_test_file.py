"""The long test file of issue 14, shared by bench_gui.py and bench_peer_sv.py: stereo 44.1 kHz int16 WAV with
noise, a 440 Hz tone on the left, a 1 kHz tone on the right, a 3 kHz tone in every other 5-minute block and 40
clicks of 3 ms (positions from ``click_starts``), and a 192 kb/s MP3 of it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SR = 44100


def click_starts(minutes: float, n_clicks: int = 40) -> list[int]:
    """Sample positions of the clicks: spread at random (fixed seed) over the file, away from the ends."""
    import numpy as np

    n = int(minutes * 60 * SR)
    rng = np.random.default_rng(14)
    return sorted(int(c) for c in rng.integers(SR, n - SR, n_clicks))


def make_wav(path: Path, minutes: float) -> Path:
    """Write the test WAV in one-minute blocks (keeps memory low for an hour-long file)."""
    import numpy as np
    import soundfile as sf

    n = int(minutes * 60 * SR)
    clicks = click_starts(minutes)
    click_len = int(0.003 * SR)
    rng = np.random.default_rng(0)
    block = SR * 60
    tmp = path.with_suffix(".part.wav")
    with sf.SoundFile(str(tmp), "w", samplerate=SR, channels=2, subtype="PCM_16") as f:
        for a in range(0, n, block):
            m = min(block, n - a)
            t = (a + np.arange(m)) / SR
            x = 0.05 * rng.standard_normal((m, 2))
            x[:, 0] += 0.25 * np.sin(2 * np.pi * 440.0 * t)
            x[:, 1] += 0.25 * np.sin(2 * np.pi * 1000.0 * t)
            on = (t // 300).astype(int) % 2 == 0  # 3 kHz in minutes 0-5, 10-15, ...
            x[on] += (0.15 * np.sin(2 * np.pi * 3000.0 * t[on]))[:, None]
            for c in [c - a for c in clicks if a <= c < a + m - click_len]:
                x[c:c + click_len] += 0.6
            f.write(np.clip(x, -1.0, 1.0).astype(np.float32))
    tmp.replace(path)
    return path


def make_mp3(wav: Path, mp3: Path) -> str | None:
    """Encode ``wav`` to a 192 kb/s MP3; returns the encoder's name, or None when no encoder is available."""
    tmp = mp3.with_suffix(".part.mp3")
    if shutil.which("ffmpeg"):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-b:a", "192k", "-f", "mp3", str(tmp)],
                       check=True)
        tmp.replace(mp3)
        return "ffmpeg"
    for name, encode in (("lameenc", _mp3_lameenc), ("PyAV", _mp3_pyav), ("libsndfile", _mp3_soundfile)):
        try:
            encode(wav, tmp)
        except ImportError:
            continue
        except Exception as e:  # e.g. a PyAV built without an MP3 encoder: try the next one
            print(f"MP3 with {name} failed: {e}", flush=True)
            tmp.unlink(missing_ok=True)
            continue
        tmp.replace(mp3)
        return name
    return None


def _mp3_lameenc(wav: Path, out: Path) -> None:
    import lameenc
    import soundfile as sf

    enc = lameenc.Encoder()
    enc.set_bit_rate(192)
    enc.set_in_sample_rate(SR)
    enc.set_channels(2)
    enc.set_quality(2)
    with sf.SoundFile(str(wav)) as src, open(out, "wb") as dst:
        for block in src.blocks(blocksize=SR * 10, dtype="int16"):
            dst.write(enc.encode(block.tobytes()))
        dst.write(enc.flush())


def _mp3_pyav(wav: Path, out: Path) -> None:
    import av
    import soundfile as sf

    with av.open(str(out), "w", format="mp3") as container, sf.SoundFile(str(wav)) as src:
        stream = container.add_stream("libmp3lame", rate=SR, layout="stereo")
        stream.bit_rate = 192_000
        for block in src.blocks(blocksize=SR * 10, dtype="int16"):
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="stereo")
            frame.sample_rate = SR
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


def _mp3_soundfile(wav: Path, out: Path) -> None:
    import soundfile as sf

    with sf.SoundFile(str(wav)) as src, sf.SoundFile(
            str(out), "w", SR, 2, format="MP3", subtype="MPEG_LAYER_III",
            bitrate_mode="CONSTANT", compression_level=0.45) as dst:  # libsndfile: ~190 kb/s
        for block in src.blocks(blocksize=1 << 20):
            dst.write(block)
