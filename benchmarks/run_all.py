"""Run every speed benchmark (bench_*.py) in turn; evaluation scripts (eval_*.py) need a corpus path and are
run by hand, e.g. `python benchmarks/eval_pitch.py ../shared/corpus/pitch`."""

import subprocess
import sys
from pathlib import Path

here = Path(__file__).parent
failed = 0
for script in sorted(here.glob("bench_*.py")):
    print(f"\n=== {script.name} ===", flush=True)
    failed += subprocess.run([sys.executable, str(script)]).returncode != 0
sys.exit(1 if failed else 0)
