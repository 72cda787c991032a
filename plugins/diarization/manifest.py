"""Manifest of the diarization plugin (light: imported at discovery, the model code is not)."""

from workbench.core.contributions import Exporter
from workbench.core.params import Float, Int
from workbench.core.plugin_api import PluginManifest

MANIFEST = PluginManifest(
    id="diarization",
    name="Speakers (who spoke when)",
    module="workbench_plugins.diarization.plugin",
    category="speech",
    description="Speaker turns, one lane per speaker ('Speaker 1..N'): voice activity, Resemblyzer speaker "
                "embeddings and clustering; the number of speakers is found automatically or set.",
    outputs=("events",),
    params=(
        Int("speakers", default=0, range=(0, 20), help="number of speakers; 0 finds it automatically"),
        Int("max_speakers", default=10, range=(1, 20), help="upper bound when the count is automatic"),
        Float("threshold", default=0.32, range=(0.05, 0.9),
              help="cosine distance above which voices count as different speakers (automatic count)"),
        Float("vad_threshold", default=0.5, range=(0.05, 0.95), help="speech probability that starts a region"),
    ),
    models=("resemblyzer-encoder", "silero-vad"),
    requires=("vad",),
    exporters=(
        Exporter(kind="events", extension=".rttm", writer="workbench_plugins.diarization.rttm:write_rttm",
                 description="RTTM speaker turns (NIST), e.g. for pyannote.metrics or dscore"),
    ),
)
