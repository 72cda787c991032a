"""Writers and readers that plugins contribute (``Exporter`` / ``Importer`` in their manifests)."""

from __future__ import annotations

from workbench.core.contributions import resolve


def contributed_writers(kind: str) -> dict:
    """Extension -> writer for layers of ``kind``, from every installed plugin (imported only when called)."""
    from workbench.core.registry import default_registry

    out = {}
    for manifest in default_registry():
        for exp in manifest.exporters:
            if exp.kind == kind:
                out.setdefault(exp.extension.lower(), _lazy(exp.writer))
    return out


def contributed_readers() -> dict:
    """Extension -> reader(path) -> list[Layer], from every installed plugin."""
    from workbench.core.registry import default_registry

    out = {}
    for manifest in default_registry():
        for imp in manifest.importers:
            out.setdefault(imp.extension.lower(), _lazy(imp.reader))
    return out


def _lazy(ref: str):
    def call(*args, **kw):
        return resolve(ref)(*args, **kw)

    call.ref = ref
    return call
