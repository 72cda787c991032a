"""Manifest of the source-separation plugin (light: no torch import)."""

from workbench.core.params import Choice, Float
from workbench.core.contributions import LiveProcessor
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="separation",
    name="Source separation (stems)",
    module="workbench_plugins.separation.plugin",
    category="music",
    description="Split a mixture into stems: vocals / accompaniment (Spleeter, offline, full band), "
                "4 music stems (Hybrid Demucs, download) or 2 speakers (Conv-TasNet, download).",
    outputs=("tracks",),
    params=(
        Choice("model", default="spleeter-2stems",
               choices=("spleeter-2stems", "hdemucs-high-musdb-plus", "convtasnet-libri2mix"),
               help="separation model"),
        Float("chunk_s", default=30.0, range=(5.0, 600.0), unit="s", help="length of the chunks processed at once"),
        Float("overlap_s", default=2.0, range=(0.1, 10.0), unit="s", help="cross-fade between chunks"),
    ),
    models=("spleeter-2stems", "hdemucs-high-musdb-plus", "convtasnet-libri2mix"),
    live=(
        LiveProcessor(id="separation", title="Vocals (monitor)", factory="workbench_plugins.separation.live:make_processor",
                      hop_s=0.01, params={"stem": "vocals"}, monitor=True),
        LiveProcessor(id="karaoke", title="Accompaniment (monitor)",
                      factory="workbench_plugins.separation.live:make_processor", hop_s=0.01,
                      params={"stem": "accompaniment"}, monitor=True),
    ),
)
