#!/usr/bin/env python3
"""Convert musicnn's MagnaTagATune model (TF1 checkpoint in the musicnn 0.1.0 wheel) to safetensors, once.

Step 1 (project venv, no TensorFlow): read the checkpoint with the workbench's own bundle reader, map the
variables to the PyTorch model in ``workbench_plugins.tagging.musicnn`` and write
``resources/models/musicnn_mtt.safetensors``; also write the reference *inputs* (log-mel patches of signals
synthesised here) to ``resources/models/musicnn_mtt_reference.npz``.

    python scripts/convert_musicnn.py convert [--model MTT_musicnn] [--new-inputs]

Step 2 (a throwaway venv with TensorFlow and musicnn, never the project's): run the ORIGINAL TF graph
(``musicnn.models.define_model``) on those inputs and store its outputs in the same .npz:

    python3.11 -m venv /tmp/tfvenv && /tmp/tfvenv/bin/pip install tensorflow-cpu==2.15.1 "numpy<2"
    /tmp/tfvenv/bin/pip install --no-deps musicnn==0.1.0
    /tmp/tfvenv/bin/python scripts/convert_musicnn.py reference

Step 3 (project venv): check the converted model against the reference and print sha256 sums:

    python scripts/convert_musicnn.py check
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "resources" / "models"


def musicnn_dir() -> Path:
    spec = importlib.util.find_spec("musicnn")  # found, never imported (it imports TensorFlow)
    if spec is None:
        sys.exit("musicnn is not installed: pip install --no-deps musicnn==0.1.0")
    return Path(list(spec.submodule_search_locations)[0])


def reference_inputs() -> np.ndarray:
    """Three 3-s patches: a drum-like pattern, a vibrato harmonic tone, a chord with noise (16 kHz, seeded)."""
    from workbench_plugins.tagging.musicnn import PATCH_FRAMES, RATE, log_mel

    rng = np.random.default_rng(1234)
    t = np.arange(int(3.2 * RATE)) / RATE
    drums = np.zeros_like(t)
    for k, onset in enumerate(np.arange(0, 3.2, 0.25)):
        i = int(onset * RATE)
        n = min(len(t) - i, 4000)
        env = np.exp(-np.arange(n) / (400 if k % 2 else 1500))
        hit = rng.standard_normal(n) if k % 2 else np.sin(2 * np.pi * 60 * np.arange(n) / RATE)
        drums[i:i + n] += env * hit
    f0 = 440 * (1 + 0.01 * np.sin(2 * np.pi * 5 * t))
    phase = 2 * np.pi * np.cumsum(f0) / RATE
    tone = sum(np.sin(h * phase) / h for h in range(1, 12)) * 0.3
    chord = sum(np.sin(2 * np.pi * f * t) for f in (261.6, 329.6, 392.0)) * 0.2 + 0.05 * rng.standard_normal(len(t))
    return np.stack([log_mel(x.astype(np.float32))[:PATCH_FRAMES] for x in (drums, tone, chord)]).astype(np.float32)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def convert(model: str, new_inputs: bool = False) -> None:
    from safetensors.numpy import save_file

    from workbench_plugins.tagging.musicnn import tf_to_torch
    from workbench_plugins.tagging.tf_checkpoint import read_checkpoint

    src = musicnn_dir() / model
    ck = read_checkpoint(str(src) + "/")  # the bundle's prefix is the folder itself ('.index', '.data-...')
    sd = tf_to_torch(ck)
    OUT.mkdir(parents=True, exist_ok=True)
    name = {"MTT_musicnn": "musicnn_mtt", "MSD_musicnn": "musicnn_msd"}[model]
    # one metadata key: safetensors writes several keys in a random order, which would change the sha256
    meta = {"provenance": f"musicnn==0.1.0 {model} (ISC licence), converted by scripts/convert_musicnn.py"}
    save_file(sd, str(OUT / f"{name}.safetensors"), metadata=meta)
    (OUT / f"{name}.safetensors").chmod(0o644)
    if model == "MTT_musicnn" and (new_inputs or not (OUT / "musicnn_mtt_reference.npz").exists()):
        np.savez_compressed(OUT / "musicnn_mtt_reference.npz", inputs=reference_inputs())
    print(f"wrote {OUT / (name + '.safetensors')}  sha256 {sha256(OUT / (name + '.safetensors'))}")
    print("checkpoint sha256:", json.dumps({f.name: sha256(f) for f in sorted(src.iterdir()) if f.is_file()}, indent=1))


def reference(model: str = "MTT_musicnn") -> None:
    """Runs in a TensorFlow venv: the original musicnn graph on the stored inputs."""
    import tensorflow as tf
    from musicnn import models

    tf.compat.v1.disable_eager_execution()
    path = OUT / "musicnn_mtt_reference.npz"
    inputs = np.load(path)["inputs"]
    tf.compat.v1.reset_default_graph()
    with tf.name_scope("model"):
        x = tf.compat.v1.placeholder(tf.float32, [None, inputs.shape[1], inputs.shape[2]])
        is_training = tf.compat.v1.placeholder(tf.bool)
        y = models.define_model(x, is_training, model, 50)[0]
        prob = tf.nn.sigmoid(y)
    sess = tf.compat.v1.Session()
    sess.run(tf.compat.v1.global_variables_initializer())
    tf.compat.v1.train.Saver().restore(sess, str(musicnn_dir() / model) + "/")
    outputs = sess.run(prob, feed_dict={x: inputs, is_training: False})
    np.savez_compressed(path, inputs=inputs, outputs=outputs.astype(np.float32),
                        producer=np.array(f"tensorflow {tf.__version__}, musicnn 0.1.0 {model}"))
    print("reference outputs", outputs.shape, "written to", path)


def check() -> None:
    import torch
    from safetensors.torch import load_file

    from workbench_plugins.tagging.musicnn import MTT_LABELS, MusiCNN

    ref = np.load(OUT / "musicnn_mtt_reference.npz")
    net = MusiCNN()
    net.load_state_dict(load_file(str(OUT / "musicnn_mtt.safetensors")), strict=False)
    with torch.no_grad():
        out = net.eval()(torch.from_numpy(ref["inputs"])).numpy()
    err = np.abs(out - ref["outputs"]).max()
    print(f"max |torch - tensorflow| = {err:.2e}  ({ref['producer']})")
    for row in out:
        print("  top:", [MTT_LABELS[i] for i in np.argsort(-row)[:5]])
    for f in sorted(OUT.glob("musicnn_mtt*")):
        print(f.name, sha256(f))


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=("convert", "reference", "check"))
    ap.add_argument("--model", default="MTT_musicnn", choices=("MTT_musicnn", "MSD_musicnn"))
    ap.add_argument("--new-inputs", action="store_true", help="rewrite the reference inputs (then rerun 'reference')")
    a = ap.parse_args()
    {"convert": lambda: convert(a.model, a.new_inputs), "reference": lambda: reference(a.model), "check": check}[a.step]()
