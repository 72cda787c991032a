"""Manifest of the voice-activity plugin (light: imported at discovery, the model code is not)."""

from workbench.core.params import Float, Int
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="vad",
    name="Voice activity",
    module="workbench_plugins.vad.plugin",
    category="speech",
    description="Finds where someone is speaking (Silero VAD); speech regions as events labelled 'speech'.",
    outputs=("events",),
    streams=True,
    params=(
        Float("threshold", default=0.5, range=(0.05, 0.95), help="speech probability that starts a region"),
        Int("min_speech_ms", default=250, range=(0, 5000), unit="ms", help="shorter regions are dropped"),
        Int("min_silence_ms", default=100, range=(0, 5000), unit="ms", help="pause needed to end a region"),
        Int("speech_pad_ms", default=30, range=(0, 1000), unit="ms", help="margin added around each region"),
    ),
    models=("silero-vad",),
    compute="cpu",  # Silero VAD is tiny: the CPU is faster than a GPU round trip, by design
)
