"""TTS plugin: text in (the ``text`` parameter), a Tracks layer with one 22.05 kHz speech track out."""

from __future__ import annotations

from workbench.core.audio import AudioBuffer
from workbench.core.errors import InvalidParameterError
from workbench.core.layers import Layer, Tracks
from workbench.core.models import default_store
from workbench.core.plugin_api import JobContext

from .manifest import VOICE_CHOICES


def process(audio: AudioBuffer | None, params: dict, ctx: JobContext) -> list[Layer]:
    """Synthesize ``params['text']``; ``audio`` (the session's audio, may be None) is not used.

    The track is placed at offset 0 s of the session timeline.
    """
    text = (params.get("text") or "").strip()
    if not text:
        raise InvalidParameterError("Text to speech needs some text: set the 'text' parameter")
    voice = params.get("voice", "joe")
    model_id = VOICE_CHOICES[voice]
    store = ctx.models or default_store()
    ctx.progress(0.0, f"loading {model_id}")

    def report(fraction: float, msg: str) -> None:
        ctx.progress(0.05 + 0.95 * fraction, msg)

    from . import synth

    if model_id == synth.PIPER_ID:
        samples, rate = synth.synthesize_piper(
            text, float(params.get("length_scale", 1.0)), float(params.get("sentence_silence", 0.2)),
            ctx.device, store, report,
        )
        ctx.ran_on(getattr(synth.load_piper(ctx.device, store), "workbench_device", ctx.device))  # cached
    else:
        samples, rate = synth.synthesize_tacotron(text, ctx.device, store, report)
    ctx.progress(1.0, "done")
    name = "speech: " + (text[:30] + "..." if len(text) > 30 else text)
    track = AudioBuffer(samples[None, :], rate, name=name)
    meta = {"model": model_id, "text": text, "length_scale": params.get("length_scale", 1.0)}
    return [Tracks(name=name, tracks={"speech": track}, offset=0.0, metadata=meta)]
