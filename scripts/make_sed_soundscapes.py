"""Write generated street-like soundscapes (plugins/sed/soundscapes.py) as WAV files with their truth.

    python scripts/make_sed_soundscapes.py OUT_DIR [--count 40] [--seed 1000] [--seconds 12] [--levels spec|wide]

Each scene ``street_<seed>.wav`` (16 kHz mono) gets ``street_<seed>.txt`` beside it: ``onset<TAB>offset<TAB>label``
per event (labels siren, car_horn, speech). Scenes of one seed are identical on every run. The decisions are
fitted on seeds 1000-1079 (scripts/fit_sed_decisions.py; 1000-1239 with --count 240); score on other seeds (e.g. --seed 5000).
``--levels wide`` writes the scenes of the generator as it was until 2026-12-01 (sirens down to 10 dB under the
background; plugins/sed/soundscapes.LEVELS), to compare with the scores measured on them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench_plugins.sed.soundscapes import LEVELS, RATE, scene  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, default=40)
    ap.add_argument("--seed", type=int, default=1000, help="seed of the first scene (then +1 each)")
    ap.add_argument("--seconds", type=float, default=12.0)
    ap.add_argument("--levels", default="spec", choices=sorted(LEVELS), help="event-to-background ratios")
    a = ap.parse_args()
    a.out.mkdir(parents=True, exist_ok=True)
    for seed in range(a.seed, a.seed + a.count):
        s = scene(seed, a.seconds, a.levels)
        sf.write(a.out / f"street_{seed}.wav", s.audio, RATE, subtype="PCM_16")
        (a.out / f"street_{seed}.txt").write_text("".join(f"{o:.4f}\t{f:.4f}\t{lab}\n" for o, f, lab in s.events))
    print(f"{a.count} scenes ({a.levels} levels) in {a.out}")


if __name__ == "__main__":
    main()
