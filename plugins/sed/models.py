"""Files the sound-event plugin ships (made by this project; in resources/models, see SED_PROVENANCE.md)."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="sed-street-head", task="sound events", name="Street event head (siren, car horn, speech; this project)",
        licence="GPL-3.0-or-later", files=("sed_street_head.safetensors", "sed_street_head.json"),
        sha256={"sed_street_head.safetensors": "1ffc3915af391c82ab96b40ebebbd00bf73904c354a5e50258ae88147ec154c4", "sed_street_head.json": "40ff2775ce48d8d426babfa111aa90e5765256df7b78a59313f94602c3580ad6"},
        package="workbench_resources", package_path="models", size_mb=0.2, used_by=("sed",),
        notes="log-mel CNN + temporal convolutions with YAMNet context, trained on generated street soundscapes "
              "(scripts/train_sed_head.py); see resources/models/SED_PROVENANCE.md",
    ),
    ModelSpec(
        id="sed-decisions", task="sound events", name="Sound-event decisions (thresholds, filters; this project)",
        licence="GPL-3.0-or-later", files=("sed_decisions.json",),
        sha256={"sed_decisions.json": "bad6b73326a50dffdb8288cd015b14f241e0a6e96f12b57cbfa772406defa6bc"},
        package="workbench_resources", package_path="models", size_mb=0.01, used_by=("sed",),
        notes="per-class thresholds, hysteresis, median filters and onset/offset shifts fitted on generated "
              "soundscapes (scripts/fit_sed_decisions.py); see resources/models/SED_PROVENANCE.md",
    ),
]
