"""Speech synthesis back ends. Both return mono float32 samples in [-1, 1] and their sample rate (Hz).

Threading: loaded voices are cached per (model, device) in the model store and used by one job at a time
per call; ONNX Runtime sessions allow concurrent ``run`` calls.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from workbench.core.errors import InvalidParameterError
from workbench.core.models import ModelStore, default_store, load_state_dict

PIPER_ID = "piper-joe-medium"
TACOTRON_ID = "tacotron2-wavernn-char-ljspeech"


def load_piper(device: str = "cpu", store: ModelStore | None = None):
    """The Piper voice (ONNX Runtime; CUDA provider when the device is a GPU)."""
    store = store or default_store()

    def load(path):
        from piper import PiperVoice

        from workbench.core.compute import onnx_device, onnx_providers

        # onnxruntime-gpu (CUDA 13, torch's libraries); the CPU provider elsewhere
        cuda = any(isinstance(p, tuple) and p[0] == "CUDAExecutionProvider" for p in onnx_providers(device))
        voice = PiperVoice.load(path, config_path=path.parent / (path.name + ".json"), use_cuda=cuda,
                                download_dir=store.cache_dir)
        session = getattr(voice, "session", None)
        voice.workbench_device = onnx_device(session, device) if session is not None else "cpu"
        return voice

    return store.cached_load(PIPER_ID, device, load)


def synthesize_piper(
    text: str, length_scale: float = 1.0, sentence_silence: float = 0.2, device: str = "cpu",
    store: ModelStore | None = None, progress: Callable[[float, str], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Speak ``text`` sentence by sentence; ``progress`` is called after each sentence (may raise to cancel)."""
    from piper import SynthesisConfig

    voice = load_piper(device, store)
    config = SynthesisConfig(length_scale=length_scale)
    rate = voice.config.sample_rate
    gap = np.zeros(int(sentence_silence * rate), dtype=np.float32)
    sentences = [s for s in voice.phonemize(text) if s]
    pieces: list[np.ndarray] = []
    for i, phonemes in enumerate(sentences):
        ids = voice.phonemes_to_ids(phonemes)
        audio = voice.phoneme_ids_to_audio(ids, config)
        audio = audio[0] if isinstance(audio, tuple) else audio  # some versions also return alignments
        audio = np.asarray(audio, dtype=np.float32).reshape(-1)
        peak = float(np.max(np.abs(audio))) if audio.size else 0.0
        if peak > 0:
            audio = audio * (0.9 / peak)  # same loudness for every sentence
        pieces += [audio, gap] if i < len(sentences) - 1 else [audio]
        if progress:
            progress((i + 1) / len(sentences), f"sentence {i + 1}/{len(sentences)}")
    if not pieces:
        raise InvalidParameterError("The text has nothing to speak")
    return np.concatenate(pieces), rate


def load_tacotron(device: str = "cpu", store: ModelStore | None = None):
    """(text processor, Tacotron2, WaveRNN vocoder) from the downloaded torchaudio checkpoints."""
    store = store or default_store()

    def load(path):
        import torch
        from torchaudio.models import Tacotron2, WaveRNN
        from torchaudio.pipelines import TACOTRON2_WAVERNN_CHAR_LJSPEECH as bundle
        from torchaudio.pipelines._tts.impl import _WaveRNNVocoder  # torchaudio's own vocoder wrapper

        folder = path.parent
        taco = Tacotron2(**bundle._tacotron2_params)
        taco.load_state_dict(load_state_dict(folder / bundle._tacotron2_path))
        wavernn = WaveRNN(**bundle._wavernn_params)
        wavernn.load_state_dict(load_state_dict(folder / bundle._wavernn_path))
        with torch.no_grad():
            return bundle.get_text_processor(), taco.eval().to(device), _WaveRNNVocoder(wavernn).eval().to(device)

    return store.cached_load(TACOTRON_ID, device, load)


def synthesize_tacotron(
    text: str, device: str = "cpu", store: ModelStore | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[np.ndarray, int]:
    """Speak ``text`` with Tacotron2 + WaveRNN (22.05 kHz). No speaking-rate control."""
    import torch

    processor, taco, vocoder = load_tacotron(device, store)
    with torch.inference_mode():
        tokens, lengths = processor(text)
        spec, spec_lengths, _ = taco.infer(tokens.to(device), lengths.to(device))
        if progress:
            progress(0.5, "vocoder")
        wave, _ = vocoder(spec, spec_lengths)
    return wave[0].cpu().numpy().astype(np.float32), 22050
