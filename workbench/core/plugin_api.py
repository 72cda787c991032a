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
import time
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
    on_emit: Callable[[list], None] | None = None  # the host's listener for partial results (see emit)
    # Filled while the job runs: the device the work really ran on (a plugin whose runtime could not use the GPU
    # sets it with ``ran_on``), notes for the user (fall-backs, retries), and a factor that shrinks chunks after
    # a GPU out-of-memory error.
    device_used: str = ""
    notes: list = field(default_factory=list)
    chunk_scale: float = 1.0
    summary: str = ""  # 'ran on cuda:0 in 1.2 s', set when the run ends

    def __post_init__(self):
        if self.cancel_flag is None:
            import threading

            self.cancel_flag = threading.Event()
        self._last_fraction = 0.0

    def ran_on(self, device: str) -> None:
        """Record where the work actually ran (e.g. 'cpu' when an ONNX session had no CUDA provider)."""
        self.device_used = str(device)

    def progress(self, fraction: float, text: str = "") -> None:
        """Report progress in 0..1 (clamped, never going backwards); also a cancellation point."""
        self.check_cancelled()
        fraction = min(1.0, max(self._last_fraction, float(fraction)))
        self._last_fraction = fraction
        if self.on_progress:
            self.on_progress(fraction, text)

    def emit(self, layers: "Sequence[Layer]") -> None:
        """Hand the host the results so far, to draw while the job runs (each call replaces the previous ones;
        the final return value replaces them all; a cancelled job keeps the last ones). Not a cancel point."""
        if self.on_emit is not None:
            self.on_emit(list(layers))

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
        seconds = max(1.0, seconds * self.chunk_scale)
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
    """Import and run a plugin's ``process`` where it was asked to run, falling back when the GPU fails.

    A CUDA out-of-memory error frees the model cache and retries with half-size chunks, then on the CPU; any other
    CUDA failure retries on the CPU. Every layer's metadata records the plugin, its version, the device the work
    really ran on, the models and the seconds taken; ``ctx.notes`` says what happened, for the panel and the CLI.
    """
    from . import compute

    module = manifest.load_module()
    if ctx.models is not None and hasattr(ctx.models, "release_idle"):
        ctx.models.release_idle()
    asked = ctx.device
    t0 = time.perf_counter()
    device, retried_smaller = asked, False
    while True:
        ctx.device, ctx.device_used = device, ""
        try:
            layers = module.process(audio, params, ctx)
            break
        except (JobCancelled, KeyboardInterrupt):
            raise
        except Exception as exc:
            if not str(device).startswith("cuda") or not compute.is_cuda_failure(exc):
                raise
            oom = compute.is_out_of_memory(exc)
            if ctx.models is not None and hasattr(ctx.models, "release"):
                ctx.models.release(device)
            compute.release_gpu_memory()
            if oom and not retried_smaller:
                retried_smaller = True
                ctx.chunk_scale *= 0.5
                ctx.notes.append(f"GPU out of memory on {device}: retried with smaller chunks")
            else:
                ctx.notes.append(f"{'GPU out of memory' if oom else 'CUDA failed'} on {device} "
                                 f"({type(exc).__name__}: {str(exc)[:120]}); ran on the CPU instead")
                device = "cpu"
            ctx.logger.warning("%s: %s", manifest.id, ctx.notes[-1])
    seconds = time.perf_counter() - t0
    used = ctx.device_used or ("cpu" if manifest.compute == "cpu" else ctx.device)  # CPU-by-design plugins
    ctx.device_used = used
    layers = list(layers or [])
    for layer in layers:
        if not layer.source:
            layer.source = manifest.id
        meta = layer.metadata
        meta.setdefault("plugin", manifest.id)
        meta.setdefault("plugin_version", manifest.version)
        meta["device"] = used
        meta.setdefault("device_requested", asked)
        meta.setdefault("seconds", round(seconds, 3))
        if "model" not in meta and "model" in params:
            meta["model"] = params["model"]
        if ctx.notes:
            meta.setdefault("notes", list(ctx.notes))
    ctx.summary = ran_on_text(used, seconds, ctx.notes)
    return layers


def ran_on_text(device: str, seconds: float, notes: Sequence[str] = ()) -> str:
    """'ran on cuda:0 in 1.2 s' (plus what fell back), for the plugin panel and the CLI."""
    text = f"ran on {_device_name(device)} in {seconds:.1f} s"
    return text + ("; " + "; ".join(notes) if notes else "")


def _device_name(device: str) -> str:
    return "cuda:0" if device == "cuda" else device


__all__ = ["PluginManifest", "JobContext", "StreamProcessor", "run_process", "JobCancelled", "Sequence"]
