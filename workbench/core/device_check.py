"""``workbench devices --check``: every installed model plugin on a short built-in clip, on every device.

Each row says which device was asked for, which one the work really ran on (from the layers' metadata, filled
by :func:`~workbench.core.plugin_api.run_process`), the time, the real-time factor, the peak GPU memory and
OK / FAIL with the reason. A plugin whose runtime is CPU by design (``compute="cpu"``) is OK on the CPU when a
GPU was asked for; any other plugin that ends on the CPU when a GPU was asked for is a FAIL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .audio import AudioBuffer
from .errors import WorkbenchError

CHECK_TEXT = "Device check. The quick brown fox jumps over the lazy dog."


@dataclass
class CheckRow:
    plugin: str
    model: str
    asked: str
    used: str = ""
    seconds: float = 0.0
    rtf: float = 0.0
    peak_mib: float = 0.0
    ok: bool = False
    why: str = ""


def check_clip() -> AudioBuffer:
    """The shipped clip (speech, then four notes)."""
    from .audio_io import load_audio
    from .resources import resources_dir

    path = resources_dir() / "app" / "device_check.flac"
    if not path.is_file():
        raise WorkbenchError(f"The device-check clip is missing ({path}); reinstall the workbench")
    return load_audio(path)


def model_plugins(registry=None) -> list:
    """Manifests of the plugins that run a model (they list models and have a process function)."""
    from .registry import default_registry

    return [m for m in (registry or default_registry()) if m.models and m.has_process]


def check_devices(devices: list[str] | None = None, plugins: list[str] | None = None, registry=None,
                  store=None, on_row=None) -> list[CheckRow]:
    """Run each model plugin on each device; ``on_row(row)`` is called as rows finish."""
    from .devices import compute_devices
    from .models import default_store

    devices = devices or [d["id"] for d in compute_devices()]
    store = store or default_store()
    clip = check_clip()
    rows = []
    for manifest in model_plugins(registry):
        if plugins and manifest.id not in plugins:
            continue
        for device in devices:
            row = _check_one(manifest, device, clip, store)
            rows.append(row)
            if on_row:
                on_row(row)
    return rows


def _check_one(manifest, device: str, clip: AudioBuffer, store) -> CheckRow:
    from . import compute
    from .params import resolve_params
    from .plugin_api import JobContext, run_process

    params = resolve_params(manifest.params, {"text": CHECK_TEXT} if "text" in manifest.inputs else {})
    row = CheckRow(manifest.id, str(params.get("model", ",".join(manifest.models[:1]))), device)
    ctx = JobContext(device=device, models=store)
    compute.reset_gpu_peak(device)
    t0 = time.perf_counter()
    try:
        layers = run_process(manifest, clip, params, ctx)
    except Exception as exc:  # a failing plugin is a row, never the end of the check
        row.seconds = time.perf_counter() - t0
        row.why = f"{type(exc).__name__}: {str(exc).splitlines()[0][:150] if str(exc) else ''}"
        return row
    row.seconds = time.perf_counter() - t0
    row.rtf = row.seconds / max(clip.duration, 1e-9)
    row.peak_mib = compute.gpu_memory_peak(device)
    used = {str(layer.metadata.get("device", "")) for layer in layers} - {""}
    row.used = ",".join(sorted(used)) or ctx.device_used or "?"
    if layers and all(layer.metadata.get("model") for layer in layers):
        row.model = str(layers[0].metadata["model"])
    if not layers:
        row.why = "no result"
    elif str(device).startswith("cuda") and not any(u.startswith("cuda") for u in used):
        if manifest.compute == "cpu":
            row.ok, row.why = True, "CPU by design"
        else:
            row.why = "; ".join(ctx.notes) or "ran on the CPU although a GPU was asked for"
    else:
        row.ok = True
        row.why = "; ".join(ctx.notes)
    return row


def format_table(rows: list[CheckRow]) -> list[list[str]]:
    out = [["plugin", "model", "asked", "used", "seconds", "RTF", "peak GPU MiB", "result"]]
    for r in rows:
        out.append([r.plugin, r.model, r.asked, r.used or "-", f"{r.seconds:.2f}", f"{r.rtf:.3f}",
                    f"{r.peak_mib:.0f}" if r.peak_mib else "-", ("OK" if r.ok else "FAIL") + (f" ({r.why})" if r.why else "")])
    return out
