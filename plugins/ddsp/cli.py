"""`workbench ddsp train`: learn a DDSP timbre from a recording (or a rendered melody) on the command line."""

from __future__ import annotations

import shlex
import sys
import tempfile
import time
from pathlib import Path

RANGES = {"violin": (55, 88), "flute": (60, 93), "cello": (36, 67), "trumpet": (55, 82), "clarinet": (50, 84)}


def add_train_arguments(ap) -> None:
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--audio", help="recording of one monophonic instrument")
    src.add_argument("--instrument", choices=sorted(RANGES), help="render a random melody with FluidR3_GM")
    ap.add_argument("--name", help="model name (default: the instrument or the file's stem)")
    ap.add_argument("--seconds", type=float, default=90.0, help="length of the rendered melody (s)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--steps", type=int, default=800)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    ap.add_argument("--out", default=None, help="output folder (default: the user timbre folder)")


def add_arguments(d) -> None:
    """``Command`` contribution: the ``workbench ddsp`` parser's arguments."""
    dsub = d.add_subparsers(dest="ddsp_command")
    add_train_arguments(dsub.add_parser("train", help="learn a timbre from a recording"))
    dsub.add_parser("list", help="the timbre models found")


def train(args, device: str = "cpu") -> int:
    import numpy as np
    import torch

    from workbench.core.audio_io import load_audio
    from workbench_plugins.ddsp.model import save_model
    from workbench_plugins.ddsp.timbres import user_timbre_dir
    from workbench_plugins.ddsp.train import train_timbre

    if args.threads:
        torch.set_num_threads(args.threads)
    if args.audio:
        buf = load_audio(args.audio)
        y, sr, name = buf.mono_samples, buf.sample_rate, args.name or Path(args.audio).stem
        data = f"recording {Path(args.audio).name}"
    else:
        from workbench_plugins.ddsp.midi_render import render_melody

        low, high = RANGES[args.instrument]
        with tempfile.TemporaryDirectory() as tmp:
            y = render_melody(args.instrument, args.seed, args.seconds, Path(tmp) / "melody.wav", low, high)
        sr, name = 16000, args.name or args.instrument
        data = (f"random {args.instrument} melody (seed {args.seed}, MIDI {low}-{high}, {args.seconds:g} s) rendered "
                "by fluidsynth with FluidR3_GM (MIT), reverb and chorus off")
    last = {"t": time.perf_counter()}

    def show(step: int, total: int, loss: float) -> None:
        if step == 1 or step % 25 == 0 or step == total:
            rate = 25 / max(1e-9, time.perf_counter() - last["t"]) if step > 1 else 0.0
            last["t"] = time.perf_counter()
            print(f"step {step}/{total} loss {loss:.4f} ({rate:.2f} steps/s)", flush=True)

    res = train_timbre(np.asarray(y, np.float32), sr, name=name, steps=args.steps, batch=args.batch, lr=args.lr,
                       device=device, seed=args.seed, on_step=show)
    res.model.config.training.update(data=data, command="python " + " ".join(shlex.quote(a) for a in sys.argv))
    out = Path(args.out) if args.out else user_timbre_dir()
    path, cfg = save_model(res.model, out / f"ddsp_{name}")
    print(f"held-out multi-scale spectral loss: {res.heldout_loss:.4f}")
    print(f"trained {args.steps} steps in {res.seconds:.0f} s ({res.steps_per_s:.2f} steps/s); saved {path} and {cfg}")
    return 0


def run(args) -> int:
    if getattr(args, "ddsp_command", None) == "train":
        from workbench.core.devices import best_compute_device

        return train(args, best_compute_device(getattr(args, "device", None)))
    from workbench_plugins.ddsp.timbres import available_timbres

    for name, path in available_timbres().items():
        print(f"{name:16s} {path}")
    return 0
