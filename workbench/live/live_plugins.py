"""Live processors that plugins contribute (``LiveProcessor`` in their manifests), found through the registry.

Model loading takes seconds: call :func:`make_processor` from a worker thread, not from a GUI thread.
``device`` is the compute device ('cpu', 'cuda'); None picks the best one.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.core.contributions import LiveProcessor, resolve
from workbench.core.devices import best_compute_device
from workbench.core.errors import WorkbenchError
from workbench.core.models import default_store
from workbench.core.params import resolve_params
from workbench.core.plugin_api import JobContext, PluginManifest
from workbench.core.registry import default_registry


@dataclass(frozen=True)
class LiveOffer:
    """A live processor and the plugin that contributes it."""

    plugin: PluginManifest
    processor: LiveProcessor

    @property
    def id(self) -> str:
        return self.processor.id

    @property
    def title(self) -> str:
        return self.processor.title


def live_offers(registry=None) -> list[LiveOffer]:
    """Every live processor of every installed plugin, in registry order."""
    registry = registry or default_registry()
    return [LiveOffer(m, p) for m in registry for p in m.live]


def find_offer(processor_id: str, registry=None) -> LiveOffer:
    offers = live_offers(registry)
    for offer in offers:
        if offer.id == processor_id:
            return offer
    known = ", ".join(o.id for o in offers) or "none"
    raise WorkbenchError(f"No live processor called '{processor_id}'. Available: {known}")


def make_processor(processor_id: str, device: str | None = None, registry=None, **params):
    """Build the live processor ``processor_id`` (its plugin's parameter defaults, the contribution's, then
    ``params``)."""
    offer = find_offer(processor_id, registry)
    names = {p.name for p in offer.plugin.params}
    merged = {**offer.processor.params, **params}
    full = {**resolve_params(offer.plugin.params, {k: v for k, v in merged.items() if k in names}),
            **{k: v for k, v in merged.items() if k not in names}}
    ctx = JobContext(device=device or best_compute_device(), models=default_store())
    processor = resolve(offer.processor.factory)(full, ctx)
    if offer.processor.monitor and not hasattr(processor, "on_output"):
        from .monitor import MonitorAdapter  # its push returns audio: route it to the monitor player

        processor = MonitorAdapter(processor)
    return processor


def hop_seconds(processor_id: str, registry=None) -> float:
    return find_offer(processor_id, registry).processor.hop_s
