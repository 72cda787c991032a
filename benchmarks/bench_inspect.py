"""Speed of the inspect tools against named baselines (median of several runs, ratio = baseline / ours):

- spectrum at the playhead (workbench.core.spectrum.spectrum_at) vs one frame of librosa.stft on the same span;
- mean spectrum of a 60 s selection vs librosa.stft of the whole selection averaged;
- half-speed playback with the pitch kept (the player's real-time Rubber Band stretcher, block by block) vs
  librosa.effects.time_stretch (phase vocoder) on the same 10 s;
- band-limited playback: the player's filtered 512-frame block against the block's own duration (real time).

    .venv/bin/python benchmarks/bench_inspect.py
"""

from __future__ import annotations

import time

import numpy as np

SR = 44100


def median_ms(fn, runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times) * 1000)


def main() -> None:
    import librosa

    from workbench.core.audio import AudioBuffer
    from workbench.core.spectrum import mean_spectrum, spectrum_at
    from workbench.gui.player import Player

    rng = np.random.default_rng(0)
    x = (0.3 * np.sin(2 * np.pi * 440 * np.arange(120 * SR) / SR) + 0.01 * rng.standard_normal(120 * SR)).astype(
        np.float32)
    audio = AudioBuffer(x, SR)
    spectrum_at(audio, 1.0)  # torch import and warm-up
    rows = []
    a = int(50 * SR)
    ours = median_ms(lambda: spectrum_at(audio, 50.0, 4096), 50)
    base = median_ms(lambda: librosa.stft(x[a - 2048:a + 2048], n_fft=4096, hop_length=4096, center=False), 50)
    rows.append(("spectrum at the playhead (4096)", "librosa.stft, 1 frame", base, ours))
    ours = median_ms(lambda: mean_spectrum(audio, 10.0, 70.0, 4096), 5)
    seg = x[10 * SR:70 * SR]
    base = median_ms(lambda: (np.abs(librosa.stft(seg, n_fft=4096, hop_length=2048)) ** 2).mean(axis=1), 5)
    rows.append(("mean spectrum, 60 s selection", "librosa.stft + mean", base, ours))

    ten = x[:10 * SR]

    def stretched() -> None:
        p = Player(SR, channels=1)
        p.add_source("x", ten[None])
        p.set_speed(0.5)
        for _ in range(int(20 * SR / 512)):  # 20 s of output = the 10 s at half speed
            p.pull(512)

    ours = median_ms(stretched, 3)
    base = median_ms(lambda: librosa.effects.time_stretch(ten, rate=0.5), 3)
    rows.append(("0.5x, pitch kept, 10 s of audio", "librosa.effects.time_stretch", base, ours))

    p = Player(SR, channels=2)
    p.add_source("x", x[None])
    p.set_band(1000.0, 2000.0)
    ours = median_ms(lambda: p.pull(512), 200)
    rows.append(("band-limited 512-frame block", "the block's duration (real time)", 512 / SR * 1000, ours))

    print(f"{'what':36} {'baseline':34} {'baseline ms':>12} {'ours ms':>10} {'ratio':>8}")
    for what, name, b, o in rows:
        print(f"{what:36} {name:34} {b:12.2f} {o:10.2f} {b / o:8.1f}")


if __name__ == "__main__":
    main()
