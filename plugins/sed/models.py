"""Files the sound-event plugin ships (made by this project; in resources/models, see SED_PROVENANCE.md)."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="sed-street-head", task="sound events", name="Street event head (siren, car horn, speech; this project)",
        licence="GPL-3.0-or-later", files=("sed_street_head.safetensors", "sed_street_head.json"),
        sha256={"sed_street_head.safetensors": "119e94da601847e955af1d821ddfb513bcce98750d1209a3901f1417c17de298", "sed_street_head.json": "075bb2197617187bdc8b18ac58a1c5d3568c8d993ecb1534f221f56e60cafa35"},
        package="workbench_resources", package_path="models", size_mb=0.2, used_by=("sed",),
        notes="log-mel CNN + temporal convolutions with YAMNet context, trained on generated street soundscapes "
              "(scripts/train_sed_head.py); see resources/models/SED_PROVENANCE.md",
    ),
    ModelSpec(
        id="sed-decisions", task="sound events", name="Sound-event decisions (thresholds, filters; this project)",
        licence="GPL-3.0-or-later", files=("sed_decisions.json",),
        sha256={"sed_decisions.json": "3e6558c4f70248f744c72521996254a069953ccae5d08a6a61038d3536c04800"},
        package="workbench_resources", package_path="models", size_mb=0.01, used_by=("sed",),
        notes="per-class thresholds, hysteresis, median filters and onset/offset shifts fitted on generated "
              "soundscapes (scripts/fit_sed_decisions.py); see resources/models/SED_PROVENANCE.md",
    ),
]
