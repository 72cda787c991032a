"""Train a DDSP timbre model ("learn this timbre") from a recording, or from a fluidsynth render of a melody.

Examples::

    python scripts/train_ddsp.py --audio violin.wav --name my_violin --steps 1500
    python scripts/train_ddsp.py --instrument violin --seconds 90 --steps 1000 --threads 1 --out resources/models

``--instrument`` renders random melodies (seeded) with FluidR3_GM; the last 10 % of the recording is held out and
its multi-scale spectral loss is printed and stored in the model's JSON config. Same as ``workbench ddsp train``.
"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    from workbench_plugins.ddsp.cli import add_train_arguments, train

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_train_arguments(ap)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args(argv)
    return train(args, args.device)


if __name__ == "__main__":
    sys.exit(main())
