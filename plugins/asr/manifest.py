"""Manifest of the ASR plugin (light: imported at discovery, the model code is not)."""

from workbench.core.params import Bool, Choice, Int, Text
from workbench.core.contributions import LiveProcessor
from workbench.core.plugin_api import PluginManifest

# parameter value -> model-store id
MODEL_CHOICES = {
    "base": "whisper-base",
    "tiny.en": "whisper-tiny.en",
    "small": "whisper-small",
    "medium": "whisper-medium",
    "large-v3": "whisper-large-v3",
    "wav2vec2": "wav2vec2-asr-base-960h",
}

MANIFEST = PluginManifest(
    id="asr",
    name="Speech recognition",
    module="workbench_plugins.asr.plugin",
    category="speech",
    description="Transcribes speech into sentences and words with times (Whisper via faster-whisper; "
    "wav2vec 2.0 CTC when downloaded).",
    outputs=("segments", "words"),
    params=(
        Choice("model", default="base", choices=tuple(MODEL_CHOICES),
               help="base and tiny.en work offline; the others need `workbench models fetch`"),
        Text("language", default="auto", help="language code such as en, de, fr, or auto to detect it"),
        Bool("word_timestamps", default=True, help="also output a Words layer with one entry per word"),
        Bool("speakers", default=False,
             help="label each segment and word with its speaker ('Speaker 1..N', from the diarization plugin)"),
        Bool("skip_silence", default=True,
             help="drop pauses over 0.5 s before decoding (voice activity): fewer invented words, tighter times"),
        Int("beam_size", default=5, range=(1, 10), help="Whisper beam search width (1 = greedy, fastest)"),
    ),
    models=tuple(MODEL_CHOICES.values()),
    requires=("vad", "diarization"),  # live transcription uses the VAD's detector; speakers use diarization
    live=(LiveProcessor(id="transcription", title="Transcription", factory="workbench_plugins.asr.live:make_processor",
                        hop_s=0.1, params={"model_id": "whisper-tiny.en"}),),
)
