"""Manifest of the speech-enhancement plugin (light: imported at discovery, the model code is not)."""

from workbench.core.contributions import LiveProcessor
from workbench.core.params import Bool, Choice, Float
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="enhance",
    name="Clean speech (denoise)",
    module="workbench_plugins.enhance.plugin",
    category="speech",
    description="Removes background noise from speech (RNNoise, offline); the cleaned audio is a new track "
                "to compare A/B with the original, and a live monitor of the cleaned microphone.",
    outputs=("tracks",),
    params=(
        Choice("model", default="rnnoise", choices=("rnnoise",), help="enhancement model"),
        Float("mix", default=1.0, range=(0.0, 1.0),
              help="share of the cleaned signal (1 = fully cleaned, lower keeps some of the original)"),
        Bool("refine", default=True, help="Wiener post-filter on RNNoise's estimate (files only; more noise removed)"),
    ),
    models=("rnnoise",),
    compute="cpu",  # RNNoise is a small recurrent network compiled for the CPU
    live=(
        LiveProcessor(id="enhance", title="Clean speech (monitor)",
                      factory="workbench_plugins.enhance.live:make_processor", hop_s=0.02, monitor=True),
    ),
)
