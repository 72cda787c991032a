"""Models the notes plugin can use."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="basic-pitch", task="notes", name="Basic Pitch (ICASSP 2022)", licence="Apache-2.0",
        files=("nmp.onnx",),
        sha256={"nmp.onnx": "2c3c1d144bfa61ad236e92e169c13535c880469a12a047d4e73451f2c059a0ec"},
        package="basic_pitch", package_path="saved_models/icassp_2022",
        pip_name="basic-pitch==0.4.0 --no-deps", size_mb=0.2,
        homepage="https://github.com/spotify/basic-pitch", used_by=("notes",),
    ),
]
