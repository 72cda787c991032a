"""Models the music-tagging plugin uses."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="musicnn-mtt", task="music tagging", name="musicnn (MagnaTagATune, 50 tags)", licence="ISC",
        files=("musicnn_mtt.safetensors",),
        sha256={"musicnn_mtt.safetensors": "aa38edf1c7af24bca1e3237b73a440049b715c76e76e46f99a81c178a0af9750"},
        package="workbench_resources", package_path="models", size_mb=3.2, homepage="https://github.com/jordipons/musicnn", used_by=("tagging",),
        notes="Converted from the TF1 checkpoint in musicnn==0.1.0 by scripts/convert_musicnn.py; ships in "
              "resources/models (see PROVENANCE.md there).",
    ),
]
