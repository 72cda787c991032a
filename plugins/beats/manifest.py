"""Manifest of the beats plugin (light: the DSP code is not imported here)."""

from workbench.core.params import Bool, Float
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="beats",
    name="Beats and tempo",
    module="workbench_plugins.beats.plugin",
    category="music",
    description="Beat times with their position in the bar (1 = downbeat), meter, global BPM and a tempo curve; "
                "optionally a click track mixed into the audio to check the beats by ear.",
    outputs=("events", "curve", "tracks"),
    params=(
        Float("start_bpm", default=120.0, range=(40.0, 240.0), unit="BPM", help="tempo the search leans towards"),
        Bool("click_track", default=False, help="also return the audio with clicks on the beats (A/B listening)"),
    ),
    compute="cpu",
)
