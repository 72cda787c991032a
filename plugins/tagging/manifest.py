"""Manifest of the music-tagging plugin (light: no torch import)."""

from workbench.core.params import Float, Int
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="tagging",
    name="Music tags (musicnn)",
    module="workbench_plugins.tagging.plugin",
    category="music",
    description="50 MagnaTagATune tags (instruments, genres, moods, vocals) for the clip and for every 3 s "
                "segment, as tags with a heat map over time.",
    outputs=("tags",),
    params=(
        Float("hop_s", default=3.0, range=(0.5, 3.0), unit="s", help="time between 3 s analysis segments"),
        Int("top_k", default=50, range=(1, 50), help="tags kept in the layer, best first"),
    ),
    models=("musicnn-mtt",),
)
