"""The plugin contract: a light manifest (imported at discovery) and a module with ``process`` (imported on use).

A plugin package exposes ``MANIFEST`` (a :class:`PluginManifest`) through the ``workbench.plugins`` entry-point
group. ``MANIFEST.module`` names the module that holds::

    def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Layer]
    def stream(params: dict, ctx: JobContext) -> StreamProcessor     # optional, when manifest.streams

Plugins never draw: they return layers and the host renders them. They run in worker threads, report
progress with ``ctx.progress(fraction, text)`` and stop soon after ``ctx.cancelled()`` turns true
(``ctx.check_cancelled()`` raises :class:`JobCancelled` for them).
"""

from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Callable, Iterator, Protocol, Sequence

from .chunks import AudioChunk, iter_chunks
from .contributions import Command, Exporter, Importer, LayerKind, LiveProcessor, Widget
from .errors import JobCancelled
from .params import Param

if TYPE_CHECKING:
    from .audio import AudioBuffer
    from .layers import Layer
    from .models import ModelStore

# The layer kinds the host knows itself; plugins add others with ``LayerKind`` contributions.
OUTPUT_KINDS = ("curve", "notes", "events", "segments", "words", "tags", "matrix", "tracks", "matches")


@dataclass(frozen=True)
class PluginManifest:
    """What the host needs to know about a plugin without importing its (heavy) code."""

    id: str
    name: str
    module: str  # dotted module with process() (and stream())
    category: str = "analysis"  # e.g. speech, music, analysis, synthesis
    description: str = ""
    inputs: tuple[str, ...] = ("audio",)  # "audio" and/or "text"
    outputs: tuple[str, ...] = ()
    params: tuple[Param, ...] = ()
    models: tuple[str, ...] = ()  # model-store ids the plugin can use
    streams: bool = False
    version: str = "0.1"
    # Contributions (see workbench.core.contributions); all optional, all loaded lazily.
    requires: tuple[str, ...] = ()  # ids of plugins whose code this one uses
    commands: tuple[Command, ...] = ()
    widgets: tuple[Widget, ...] = ()
    live: tuple[LiveProcessor, ...] = ()
    layer_kinds: tuple[LayerKind, ...] = ()
    exporters: tuple[Exporter, ...] = ()
    importers: tuple[Importer, ...] = ()
    # "cuda" when the plugin's models run on a GPU when there is one; "cpu" when it is CPU by design.
    compute: str = "cuda"
    has_process: bool = True  # False for plugins that only contribute (commands, widgets, live processors)

    def __post_init__(self):
        own = {k.kind for k in self.layer_kinds}
        bad = [o for o in self.outputs if o not in OUTPUT_KINDS and o not in own]
        if bad:
            raise ValueError(f"plugin {self.id}: unknown output kind(s) {bad}")
        for name in ("params", "requires", "commands", "widgets", "live", "layer_kinds", "exporters", "importers"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def load_module(self) -> ModuleType:
        """Import the plugin's code (lazily, on first use)."""
        return importlib.import_module(self.module)


class ProgressCallback(Protocol):
    def __call__(self, fraction: float, text: str = "") -> None: ...


@dataclass
class JobContext:
    """What a running plugin may use: compute device, progress, cancellation, logging and models.

    Thread rule: a context belongs to one job; ``progress`` may be called from the worker thread only,
    ``cancel`` from any thread.
    """

    device: str = "cpu"
    models: "ModelStore | None" = None
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("workbench.plugin"))
    on_progress: Callable[[float, str], None] | None = None
    cancel_flag: Any = None  # a threading.Event; created lazily
    is_cancelled: Callable[[], bool] | None = None

    def __post_init__(self):
        if self.cancel_flag is None:
            import threading

            self.cancel_flag = threading.Event()
        self._last_fraction = 0.0

    def progress(self, fraction: float, text: str = "") -> None:
        """Report progress in 0..1 (clamped, never going backwards); also a cancellation point."""
        self.check_cancelled()
        fraction = min(1.0, max(self._last_fraction, float(fraction)))
        self._last_fraction = fraction
        if self.on_progress:
            self.on_progress(fraction, text)

    def cancel(self) -> None:
        self.cancel_flag.set()

    def cancelled(self) -> bool:
        return self.cancel_flag.is_set() or bool(self.is_cancelled and self.is_cancelled())

    def check_cancelled(self) -> None:
        if self.cancelled():
            raise JobCancelled()

    def chunks(
        self, samples, sample_rate: int, seconds: float = 30.0, overlap: float = 0.5,
        progress_span: tuple[float, float] = (0.0, 1.0), text: str = "processing",
    ) -> Iterator[AudioChunk]:
        """Iterate over a long 1-D/2-D signal in overlapping chunks, reporting progress and honouring cancel."""
        lo, hi = progress_span
        for chunk in iter_chunks(samples, sample_rate, seconds, overlap):
            self.progress(lo + (hi - lo) * chunk.index / chunk.count, f"{text} {chunk.index + 1}/{chunk.count}")
            yield chunk
        self.progress(hi, text)


class StreamProcessor(Protocol):
    """Returned by ``stream(params, ctx)``: fed consecutive hops of a live signal in a worker thread."""

    sample_rate: int  # the rate the processor wants its input at

    def push(self, samples, t0: float) -> "list[Layer]":
        """Process a hop (1-D float32 at ``sample_rate``) that starts ``t0`` s into the stream; returns layer updates."""
        ...

    def flush(self) -> "list[Layer]":
        """End of stream: return what is still pending."""
        ...


def run_process(manifest: PluginManifest, audio: "AudioBuffer", params: dict, ctx: JobContext) -> "list[Layer]":
    """Import and run a plugin's ``process``; stamps each layer with the plugin id."""
    module = manifest.load_module()
    layers = module.process(audio, params, ctx)
    if layers is None:
        layers = []
    for layer in layers:
        if not layer.source:
            layer.source = manifest.id
    return list(layers)


__all__ = ["PluginManifest", "JobContext", "StreamProcessor", "run_process", "JobCancelled", "Sequence"]
