"""Small plugins used to test the host itself (job runner, errors, cancellation); not shipped."""

from __future__ import annotations


import numpy as np

from workbench.core.layers import Curve
from workbench.core.params import Float, Int
from workbench.core.plugin_api import PluginManifest

RMS = PluginManifest(
    id="test-rms", name="Frame RMS", module=__name__, outputs=("curve",),
    params=(Float("frame_s", default=0.05, range=(0.001, 1.0), unit="s"),),
)
SLOW = PluginManifest(id="test-slow", name="Slow", module=__name__ + "_slow", outputs=("curve",),
                      params=(Int("steps", default=1000, range=(1, 100000)),))
BROKEN = PluginManifest(id="test-broken", name="Broken", module=__name__ + "_broken", outputs=("curve",))
MISSING = PluginManifest(id="test-missing", name="Missing code", module="workbench_plugins.does_not_exist.plugin",
                         outputs=("curve",))


def process(audio, params, ctx):
    """Frame RMS of the mono mix (a real, tiny analysis)."""
    x = audio.mono_samples
    n = max(1, int(params["frame_s"] * audio.sample_rate))
    frames = len(x) // n
    values = np.sqrt(np.mean(x[: frames * n].reshape(frames, n) ** 2, axis=1)) if frames else np.zeros(0)
    ctx.progress(1.0, "done")
    return [Curve(name="rms", times=(np.arange(frames) + 0.5) * n / audio.sample_rate, values=values)]
