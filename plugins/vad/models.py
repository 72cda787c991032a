"""Models the VAD plugin can use (light: no heavy imports)."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="silero-vad", task="vad", name="Silero VAD v6 (ONNX)", licence="MIT",
        files=("silero_vad.onnx",),
        sha256={"silero_vad.onnx": "1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"},
        package="silero_vad", package_path="data", pip_name="silero-vad==6.2.3", size_mb=2.3,
        homepage="https://github.com/snakers4/silero-vad", used_by=("vad", "live transcription"),
        notes="16 kHz, 512-sample (32 ms) frames",
    ),
]
