"""Implementations of the CLI sub-commands (kept apart from argument parsing)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from workbench.core.errors import JobCancelled, WorkbenchError


def cmd_gui(args) -> int:
    from workbench.gui.app import run_app

    files = getattr(args, "files", []) or []
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
    """Load ``file``, run the plugin in the job runner with progress on stderr; returns (audio, layers)."""
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
    if audio is not None and (start is not None or end is not None):
        audio = audio.slice(start or 0.0, end if end is not None else audio.duration)
        if audio.num_samples == 0:
            raise WorkbenchError("The selection is empty: --start must be before --end and inside the file")
    runner = JobRunner(max_workers=1, device=device, models=default_store())
    job = runner.submit_plugin(manifest, audio, params)
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
    return audio, job.result


def cmd_analyze(args) -> int:
    from workbench.core.export import export_layers

    t0 = time.perf_counter()
    audio, layers = run_plugin_on_file(args.plugin, args.file, args.param, args.device, args.start, args.end)
    written = export_layers(layers, args.out, audio=audio)
    took = time.perf_counter() - t0
    for path in written:
        print(f"wrote {path}")
    print(f"{args.plugin} on {audio.duration:.1f} s of audio took {took:.1f} s", file=sys.stderr)
    return 0


def cmd_synthesize(args) -> int:
    """Run a plugin that makes audio from parameters (e.g. text to speech) and write its result."""
    from workbench.core.export import export_layers

    pairs = list(args.param) + ([f"text={args.text}"] if args.text is not None else [])
    _, layers = run_plugin_on_file(args.plugin, None, pairs, args.device)
    for path in export_layers(layers, args.out):
        print(f"wrote {path}")
    return 0


def cmd_batch(args) -> int:
    from workbench.core.audio_io import AUDIO_EXTENSIONS
    from workbench.core.export import export_layers

    folder = Path(args.folder)
    if not folder.is_dir():
        raise WorkbenchError(f"'{folder}' is not a folder")
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() in AUDIO_EXTENSIONS and p.is_file())
    if not files:
        raise WorkbenchError(f"No audio files found in '{folder}'")
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    failures = 0
    for n, f in enumerate(files, 1):
        target = out_dir / (f.relative_to(folder).with_suffix("").as_posix().replace("/", "__") + "." + args.format.lstrip("."))
        try:
            audio, layers = run_plugin_on_file(args.plugin, f, args.param, args.device)
            export_layers(layers, target, audio=audio)
            print(f"[{n}/{len(files)}] {f} -> {target}")
        except WorkbenchError as exc:  # one bad file must not stop the batch
            failures += 1
            print(f"[{n}/{len(files)}] {f}: error: {exc}", file=sys.stderr)
    print(f"{len(files) - failures} of {len(files)} files done", file=sys.stderr)
    return 1 if failures else 0


def cmd_devices(args) -> int:
    from workbench.core.devices import audio_devices, best_compute_device, compute_devices

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


def cmd_models(args) -> int:
    from . import models as cli_models

    return cli_models.run(args)
