"""Factories for the live plugins (pitch, transcription, vocal separation), each a StreamProcessor.

Model loading takes seconds; call these from a worker thread, not from a GUI thread. ``device`` is the compute
device ('cpu', 'cuda'); None picks the best one.
"""

from __future__ import annotations

from workbench.core.devices import best_compute_device
from workbench.core.params import resolve_params
from workbench.core.plugin_api import JobContext
from workbench.core.registry import default_registry

# Hop (s) each live plugin is fed with: short for pitch (its latency goal is < 100 ms; each push re-runs FCPE
# on ~0.5 s of context, so shorter hops cost CPU), 0.1 s for transcription, 0.05 s for separation.
HOPS = {"pitch": 0.04, "transcription": 0.1, "separation": 0.05}


def plugin_stream(plugin_id: str, params: dict | None = None, device: str | None = None):
    """``stream(params, ctx)`` of any streaming plugin, with its parameter defaults filled in."""
    manifest = default_registry().get(plugin_id)
    if not manifest.streams:
        from workbench.core.errors import WorkbenchError

        raise WorkbenchError(f"Plugin '{manifest.name}' has no live mode.")
    ctx = JobContext(device=device or best_compute_device())
    return manifest.load_module().stream(resolve_params(manifest.params, params or {}), ctx)


def make_pitch(device: str | None = None, **params):
    """Live f0 (the pitch plugin's stream: FCPE by default) -> Curve updates in Hz."""
    return plugin_stream("pitch", params, device)


def make_transcriber(device: str | None = None, model_id: str = "whisper-tiny.en", **kw):
    """Live transcription (Silero VAD + Whisper) -> partial Segments, final Segments + Words."""
    from .transcription import LiveTranscriber

    return LiveTranscriber(model_id, device or best_compute_device(), **kw)


def make_separator(player, device: str | None = None, stem: str = "vocals", block_seconds: float = 0.5):
    """Live Spleeter separation of ``stem`` whose blocks are played by ``player`` (an OutputPlayer)."""
    from .separation import load_separator

    return load_separator(device or best_compute_device(), stem, block_seconds,
                          on_output=lambda block, t0: player.write(block))
