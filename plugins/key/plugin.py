"""Key plugin: a Segments layer of keys ("A minor") with confidences; the global key in its metadata.

``metadata["jams_namespace"] = "key_mode"``: the JAMS export writes the keys as ``A:minor``.
"""

from __future__ import annotations

from workbench.core.audio import AudioBuffer
from workbench.core.features.chroma import SAMPLE_RATE
from workbench.core.layers import Segments
from workbench.core.plugin_api import JobContext
import numpy as np

from workbench_plugins.beats.plugin import analyse
from workbench_plugins.chords.decoder import NAMES as CHORD_ROOTS
from workbench_plugins.chords.decoder import SELF_PROB
from workbench_plugins.chords.plugin import chords_on_beats

from .keyfinding import BASS_WEIGHT, chord_fit, global_key, key_names, local_keys

OPENING_WEIGHT = 10.0  # tuned on renders of seed 100
MODEL = "Temperley key profiles on tuned treble+bass chroma + fit of the recognised chords; HMM over 24 keys"


def process(audio: AudioBuffer, params: dict, ctx: JobContext) -> list[Segments]:
    y, cf, grid = analyse(audio, ctx, "key", span=(0.0, 0.9))
    ctx.progress(0.92, "key: chords and profiles")
    edges, labels, _ = chords_on_beats(y, cf, grid, SELF_PROB)
    roots = np.array([CHORD_ROOTS.index(lab.split(":")[0]) if lab != "N" else -1 for lab in labels])
    quals = [lab.split(":")[1] if lab != "N" else "" for lab in labels]
    durs = np.diff(edges)
    # songs usually open on the tonic: the first chord counts OPENING_WEIGHT times (it tells i-VI-III-VII in a
    # minor key from vi-IV-I-V in its relative major, which hold the same chords)
    weights = durs.copy()
    first = np.flatnonzero(roots >= 0)
    if len(first):
        opening = (np.arange(len(roots)) >= first[0]) & (np.arange(len(roots)) < first[0] + 4)
        weights[opening & (roots == roots[first[0]])] *= OPENING_WEIGHT
    chroma = cf.treble + BASS_WEIGHT * cf.bass
    names = key_names()
    best, confidence = global_key(chroma, chord_fit(roots, quals, weights))
    starts, ends, keys, conf = local_keys(chroma, cf.times, len(y) / SAMPLE_RATE, (edges[:-1], roots, quals, durs))
    meta = {"plugin": "key", "model": MODEL, "params": dict(params), "global_key": names[best],
            "global_confidence": round(confidence, 3), "jams_namespace": "key_mode"}
    ctx.progress(1.0, f"key: {names[best]}")
    return [Segments(name="key", starts=starts, ends=ends, texts=[names[k] for k in keys], confidences=conf,
                     metadata=meta)]
