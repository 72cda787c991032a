"""Manifest of the chords plugin (light: the DSP code is not imported here)."""

from workbench.core.contributions import Exporter
from workbench.core.params import Float
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="chords",
    name="Chords",
    module="workbench_plugins.chords.plugin",
    category="music",
    description="Chord segments in Harte syntax (C:maj, A:min, G:7, N) aligned with the beats: template scores "
                "on tuned, drum-free treble and bass chroma, smoothed with an HMM (Viterbi).",
    outputs=("segments",),
    params=(
        Float("self_prob", default=0.4, range=(0.05, 0.99), help="HMM probability of keeping the chord at a beat"),
        Float("start_bpm", default=120.0, range=(40.0, 240.0), unit="BPM", help="tempo the beat search leans towards"),
    ),
    requires=("beats",),
    exporters=(Exporter("segments", ".lab", "workbench_plugins.chords.export:chords_lab",
                        "chord .lab (start, end, Harte label)"),),
    compute="cpu",
)
