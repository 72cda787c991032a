"""Shared part of eval_beats.py, eval_key.py and eval_chords.py: rendered songs with exact truth and a plugin runner.

The songs come from ``tests/plugins/song_synth.py`` with the evaluation seed ``EVAL_SEED``; the decoders were
tuned on songs of a different seed (100), never on these.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.plugins.song_synth import songs  # noqa: E402
from workbench.core.audio import AudioBuffer  # noqa: E402
from workbench.core.plugin_api import JobContext, run_process  # noqa: E402
from workbench.core.registry import default_registry  # noqa: E402

EVAL_SEED = 2026


def run_plugin(plugin_id: str, samples, sr: int, **params):
    manifest = default_registry().get(plugin_id)
    full = {p.name: p.default for p in manifest.params}
    full.update(params)
    return run_process(manifest, AudioBuffer(samples[None], sr), full, JobContext())


def eval_songs(count: int, seed: int = EVAL_SEED):
    return songs(seed, count)


def table(rows: list[list], header: list[str]) -> str:
    cells = [header] + [[f"{c:.3f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in cells)
