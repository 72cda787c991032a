"""Implementations of the CLI sub-commands (kept apart from argument parsing)."""

from __future__ import annotations

import math
import sys
import time
from pathlib import Path

from workbench.core.errors import JobCancelled, WorkbenchError


def cmd_gui(args) -> int:
    from workbench.gui.app import run_app

    files = getattr(args, "files", []) or []
    if getattr(args, "device", None):  # honoured by the window's job runner from the first job
        import os

        os.environ["WORKBENCH_DEVICE"] = args.device
    from workbench.gui import smoke

    if smoke.enabled():  # WORKBENCH_EXIT_WHEN_SHOWN=1: quit once the window shows the file (smoke test, timing)
        smoke.arm(files)
    return run_app(files)


def cmd_plugins(args) -> int:
    from workbench.core.models import default_store
    from workbench.core.registry import default_registry

    reg, store = default_registry(), default_store()
    for m in reg:
        print(f"{m.id:14s} {m.name}  [{m.category}]  outputs: {', '.join(m.outputs)}"
              + ("  (live)" if m.streams else ""))
        for model_id in m.models:
            try:
                spec = store.spec(model_id)
                folder, where = store.locate(model_id)
                state = f"available ({where})" if folder else "not available offline"
                print(f"{'':14s}   model {model_id:22s} {state:26s} {spec.licence}")
            except WorkbenchError:
                print(f"{'':14s}   model {model_id:22s} unknown to the model store")
        for p in m.params:
            print(f"{'':14s}   --param {p.name}=  (default {p.default!r}) {p.help}")
    for name, why in reg.problems.items():
        print(f"! plugin {name} could not be loaded: {why}", file=sys.stderr)
    return 0


def _progress_printer(label: str):
    state = {"last": -1.0}

    def show(job) -> None:
        pct = int(job.fraction * 100)
        if pct != state["last"] and sys.stderr.isatty():
            print(f"\r{label}: {pct:3d}% {job.text[:40]:40s}", end="", file=sys.stderr, flush=True)
        state["last"] = pct

    return show


def run_plugin_on_file(plugin_id: str, file: str | Path, param_pairs: list[str], device=None,
                       start: float | None = None, end: float | None = None):
    """Load ``file``, run the plugin on it (or on ``start``..``end`` s) in the job runner with progress on stderr.

    Returns (the whole file's audio, layers with times from the file's start).
    """
    from workbench.core.audio_io import load_audio
    from workbench.core.jobs import JobRunner, JobState
    from workbench.core.models import default_store
    from workbench.core.params import parse_cli_params
    from workbench.core.registry import default_registry

    manifest = default_registry().get(plugin_id)
    params = parse_cli_params(manifest.params, param_pairs)
    if file is None:
        if "audio" in manifest.inputs:
            raise WorkbenchError(f"The plugin '{plugin_id}' needs an audio file: use `workbench analyze FILE`")
        audio = None
    else:
        audio = load_audio(file)
        for w in audio.warnings:
            print(f"warning: {file}: {w}", file=sys.stderr)
    for flag, value in (("--start", start), ("--end", end)):
        if value is not None and not math.isfinite(value):
            raise WorkbenchError(f"{flag} must be a time in seconds, not {value}")
    part, offset = audio, 0.0
    if audio is not None and (start is not None or end is not None):
        part = audio.slice(start or 0.0, end if end is not None else audio.duration)
        if part.num_samples == 0:
            raise WorkbenchError("The selection is empty: --start must be before --end and inside the file")
        # where the part really starts: slice() rounds to a sample
        offset = min(max(0, round((start or 0.0) * audio.sample_rate)), audio.num_samples) / audio.sample_rate
    runner = JobRunner(max_workers=1, device=device, models=default_store())
    job = runner.submit_plugin(manifest, part, params)
    job.on_progress(_progress_printer(manifest.name))
    try:
        while not job.wait(0.2):
            pass
    except KeyboardInterrupt:
        job.cancel()
        job.wait(5)
        raise
    finally:
        runner.shutdown(cancel=False)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    if job.state is JobState.FAILED:
        raise WorkbenchError(job.error)
    if job.state is JobState.CANCELLED:
        raise JobCancelled()
    if job.ctx.summary:  # where it really ran: "ran on cuda:0 in 1.2 s" / "ran on cpu ..."
        print(f"{manifest.id} {job.ctx.summary}", file=sys.stderr)
    # Results on a part count from the part's start; like the GUI, report every time from the file's start.
    from workbench.core.layer_time import shift_layer

    return audio, [shift_layer(layer, offset) for layer in (job.result or [])]


def cmd_analyze(args) -> int:
    from workbench.core.export import export_layers

    from workbench.core.export.atomic import check_target, protected_inputs

    t0 = time.perf_counter()
    check_target(args.out, [args.file])  # before the model runs: --out must never be the recording itself
    _check_out_extension(args.plugin, args.out)
    audio, layers = run_plugin_on_file(args.plugin, args.file, args.param, args.device, args.start, args.end)
    with protected_inputs(args.file):  # also covers extra files (stems_vocals.wav...) written beside --out
        written = export_layers(layers, args.out, audio=audio)
    took = time.perf_counter() - t0
    for path in written:
        print(f"wrote {path}")
    a, b = max(args.start or 0.0, 0.0), min(audio.duration if args.end is None else args.end, audio.duration)
    print(f"{args.plugin} on {b - a:.1f} s of audio took {took:.1f} s", file=sys.stderr)
    return 0


def _check_out_extension(plugin_id: str, out: str) -> None:
    """Refuse an --out extension that none of the plugin's result kinds can be written as (before running it)."""
    from workbench.core.export import FORMATS
    from workbench.core.registry import default_registry

    registry = default_registry()
    kinds = registry.get(plugin_id).outputs
    if not kinds:
        return
    allowed = {".jams"} | {ext for k in kinds for ext in FORMATS.get(k, {})}
    allowed |= {e.extension.lower() for m in registry for e in getattr(m, "exporters", ()) if e.kind in kinds}
    ext = Path(out).suffix.lower()
    if ext not in allowed:
        raise WorkbenchError(f"Cannot write the results of '{plugin_id}' as '{ext or Path(out).name}': "
                             f"choose --out with one of {', '.join(sorted(allowed))}")


def cmd_synthesize(args) -> int:
    """Run a plugin that makes audio from parameters (e.g. text to speech) and write its result."""
    from workbench.core.export import export_layers

    pairs = list(args.param) + ([f"text={args.text}"] if args.text is not None else [])
    _, layers = run_plugin_on_file(args.plugin, None, pairs, args.device)
    for path in export_layers(layers, args.out):
        print(f"wrote {path}")
    return 0


def cmd_devices(args) -> int:
    from workbench.core.devices import audio_devices, best_compute_device, compute_devices

    if getattr(args, "check", False):
        return _devices_check(args)

    print("Compute devices:")
    best = best_compute_device(args.device)
    for d in compute_devices():
        mem = f", {d['memory_gib']} GiB" if "memory_gib" in d else ""
        print(f"  {d['id']:8s} {d['name']}{mem}{'  (used)' if d['id'] == best or d['id'] == best + ':0' else ''}")
    devs, problem = audio_devices()
    print("Audio devices:")
    if problem:
        print(f"  none: {problem}")
    for d in devs:
        flags = ("in " if d.max_input_channels else "   ") + ("out" if d.max_output_channels else "   ")
        default = " (default input)" if d.is_default_input else ""
        default += " (default output)" if d.is_default_output else ""
        print(f"  [{d.index:2d}] {flags} {d.name} - {d.hostapi}, {int(d.default_samplerate)} Hz{default}")
    return 0


def _devices_check(args) -> int:
    """Every model plugin on the built-in clip on every device (or --device / --plugin); 1 on any FAIL."""
    from workbench.core.device_check import check_devices, format_table
    from workbench.core.devices import compute_devices

    from .table import print_table

    devices = [args.device] if args.device and args.device != "auto" else [d["id"] for d in compute_devices()]
    print(f"Checking on {', '.join(devices)} (a short built-in clip)...", file=sys.stderr)
    rows = check_devices(devices, plugins=args.plugin or None,
                         on_row=lambda r: print(f"  {r.plugin} on {r.asked}: {'OK' if r.ok else 'FAIL'}",
                                                file=sys.stderr))
    table = format_table(rows)
    print_table(table[1:], table[0])
    failed = [r for r in rows if not r.ok]
    print(f"{len(rows) - len(failed)} OK, {len(failed)} FAIL")
    return 1 if failed else 0


def cmd_models(args) -> int:
    from . import models as cli_models

    return cli_models.run(args)
