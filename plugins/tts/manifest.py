"""Manifest of the TTS plugin (light: imported at discovery, the model code is not)."""

from workbench.core.params import Choice, Float, Text
from workbench.core.plugin_api import PluginManifest

VOICE_CHOICES = {"joe": "piper-joe-medium", "tacotron2-wavernn": "tacotron2-wavernn-char-ljspeech"}

MANIFEST = PluginManifest(
    id="tts",
    name="Text to speech",
    module="workbench_plugins.tts.plugin",
    category="synthesis",
    description="Speaks the given text as a new 22.05 kHz audio track (Piper voice offline; "
    "Tacotron2 + WaveRNN when downloaded).",
    inputs=("text",),
    outputs=("tracks",),
    params=(
        Text("text", default="", multiline=True, help="what to say (sentences are spoken one after the other)"),
        Choice("voice", default="joe", choices=tuple(VOICE_CHOICES),
               help="joe works offline; tacotron2-wavernn needs `workbench models fetch`"),
        Float("length_scale", default=1.0, range=(0.5, 2.0), label="Speaking rate (length scale)",
              help="phoneme duration factor: below 1 speaks faster, above 1 slower"),
        Float("sentence_silence", default=0.2, range=(0.0, 2.0), unit="s", help="pause between sentences"),
    ),
    models=tuple(VOICE_CHOICES.values()),
)
