"""Manifest of the key plugin (light: the DSP code is not imported here)."""

from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="key",
    name="Key",
    module="workbench_plugins.key.plugin",
    category="music",
    description="Global key and key changes over time (segments such as 'A minor') with a confidence: tuned "
                "treble + bass chroma correlated with key profiles, helped by how the recognised chords fit each "
                "key; key changes decoded by an HMM.",
    outputs=("segments",),
    requires=("beats", "chords"),
    compute="cpu",
)
