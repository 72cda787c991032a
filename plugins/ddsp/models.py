"""Timbre models shipped with the DDSP plugin (trained by this project; files in resources/models).

Their files sit next to the ``workbench`` package in a source checkout or the desktop bundle
(``resources/models``); user-trained timbres live in the user data folder (see :mod:`.timbres`).
"""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="ddsp-violin", task="timbre", name="DDSP violin timbre (trained by this project)",
        licence="GPL-3.0-or-later", files=("ddsp_violin.safetensors", "ddsp_violin.json"),
        sha256={"ddsp_violin.safetensors": "04c690faf9272944e7f36e44f1cd18764a73091b82b8f5ae4bcd43b309c41236",
                "ddsp_violin.json": "3b033b33f313ea5f0323694e9e95a6aa95e8cd6c90e542511ee6d2f6601a4ba1"},
        package="workbench_resources", package_path="models", size_mb=0.26, used_by=("ddsp",),
        notes="trained on FluidR3_GM (MIT) renders of random melodies; see resources/models/DDSP_PROVENANCE.md",
    ),
    ModelSpec(
        id="ddsp-flute", task="timbre", name="DDSP flute timbre (trained by this project)",
        licence="GPL-3.0-or-later", files=("ddsp_flute.safetensors", "ddsp_flute.json"),
        sha256={"ddsp_flute.safetensors": "cc80c2b4393659cb7d0127f9cd4b7df1b5eb3d636a70facb45530334ab811152",
                "ddsp_flute.json": "c1747834d382ab073f10afe7033ee9f243cfa9c3fa04e0d63b5c57bfd77a1183"},
        package="workbench_resources", package_path="models", size_mb=0.26, used_by=("ddsp",),
        notes="trained on FluidR3_GM (MIT) renders of random melodies; see resources/models/DDSP_PROVENANCE.md",
    ),
]
