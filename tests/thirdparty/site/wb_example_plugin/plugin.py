import numpy as np

from .layers import Peaks


def find_peaks(x: np.ndarray, rate: int, threshold_db: float):
    n = max(1, int(0.05 * rate))
    frames = len(x) // n
    rms = np.sqrt(np.mean(x[: frames * n].reshape(frames, n) ** 2, axis=1) + 1e-12)
    db = 20 * np.log10(rms)
    idx = [i for i in range(1, frames - 1) if db[i] >= db[i - 1] and db[i] > db[i + 1] and db[i] > threshold_db]
    return (np.array(idx) + 0.5) * n / rate, db[idx]


def process(audio, params, ctx):
    times, levels = find_peaks(audio.mono_samples, audio.sample_rate, params["threshold_db"])
    ctx.progress(1.0, "done")
    return [Peaks(name="peaks", times=times, levels=levels)]
