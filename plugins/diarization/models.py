"""Models the diarization plugin can use (light: no heavy imports)."""

from workbench.core.models import ModelSpec

MODELS = [
    ModelSpec(
        id="resemblyzer-encoder", task="speaker-embedding", name="Resemblyzer voice encoder (GE2E, 3x256 LSTM)",
        licence="Apache-2.0", files=("pretrained.pt",),
        sha256={"pretrained.pt": "39373b86598fa3da9fcddee6142382efe09777e8d37dc9c0561f41f0070f134e"},
        package="resemblyzer", package_path="", pip_name="resemblyzer==0.1.4 --no-deps", size_mb=17.1,
        homepage="https://github.com/resemble-ai/Resemblyzer", used_by=("diarization",),
        notes="16 kHz, 40-band mel power frames of 25 ms every 10 ms; 256-d L2-normed embeddings. "
              "Run by the workbench's own LSTM code (the package itself is not imported).",
    ),
]
