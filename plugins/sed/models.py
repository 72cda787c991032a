"""Files the sound-event plugin ships (made by this project; in resources/models, see SED_PROVENANCE.md)."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="sed-street-head", task="sound events", name="Street event head (siren, car horn, speech; this project)",
        licence="GPL-3.0-or-later", files=("sed_street_head.safetensors", "sed_street_head.json"),
        sha256={"sed_street_head.safetensors": "c1e9175f6f23b306a461776a734a286e189998802a9e853482f4fec9c22ae1ed", "sed_street_head.json": "946f8ebe0fa986992bc37b194630ef4ecbf0e8ebb1ab5feca8b6ba2a9ffb9e52"},
        package="workbench_resources", package_path="models", size_mb=0.2, used_by=("sed",),
        notes="log-mel CNN + temporal convolutions with YAMNet context, trained on generated street soundscapes "
              "(scripts/train_sed_head.py); see resources/models/SED_PROVENANCE.md",
    ),
    ModelSpec(
        id="sed-decisions", task="sound events", name="Sound-event decisions (thresholds, filters; this project)",
        licence="GPL-3.0-or-later", files=("sed_decisions.json",),
        sha256={"sed_decisions.json": "96e1201c73123bd3c05a6337d335501b1857f58fc4056f5352e3377ca1636a1b"},
        package="workbench_resources", package_path="models", size_mb=0.01, used_by=("sed",),
        notes="per-class thresholds, hysteresis, median filters and onset/offset shifts fitted on generated "
              "soundscapes (scripts/fit_sed_decisions.py); see resources/models/SED_PROVENANCE.md",
    ),
]
