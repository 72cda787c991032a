"""Manifest of the notes plugin (Basic Pitch)."""

from workbench.core.params import Bool, Float
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="notes",
    name="Notes (Basic Pitch)",
    module="workbench_plugins.notes.plugin",
    category="music",
    description="Polyphonic note transcription to a piano roll; exports MIDI.",
    outputs=("notes", "matrix"),
    params=(
        Float("onset_threshold", default=0.5, range=(0.05, 0.95), help="how sure an onset must be"),
        Float("frame_threshold", default=0.3, range=(0.05, 0.95), help="how sure a sustained note must be"),
        Float("min_note_ms", default=58.0, range=(10.0, 1000.0), unit="ms", help="shortest note kept"),
        Float("fmin", default=27.5, range=(20.0, 4000.0), unit="Hz"),
        Float("fmax", default=4200.0, range=(50.0, 8000.0), unit="Hz"),
        Bool("salience", default=False, help="also return the pitch salience as a matrix layer"),
    ),
    models=("basic-pitch",),
)
