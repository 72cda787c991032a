"""Train the street event head (plugins/sed/head.py) on generated soundscapes, on one CPU core.

    python scripts/train_sed_head.py [--scenes 800] [--steps 700] [--levels wide] [--dilations 1,2,4] [--seed 100000]
                                     [--features SPEC.npz,WIDE.npz] [--out resources/models]

Scenes ``seed .. seed+scenes-1`` (plugins/sed/soundscapes.py, 10 s each; disjoint from the seeds the decisions
are fitted on, 1000-1079 or up to 1239, and from the evaluation seeds, 5000+) are scored by YAMNet every 0.12 s (context)
and turned into log-mel frames; targets are siren / car horn / speech activity every 40 ms from the exact
event times. ``--levels`` picks the scenes' event-to-background ratios (plugins/sed/soundscapes.LEVELS; several
level sets give each seed's scene once per set). The last 10 % of the seeds are held out (in every level set);
their frame F1 at 0.5 is recorded. Writes
``sed_street_head.safetensors`` and ``sed_street_head.json`` (sizes, feature statistics, training record);
update the sha256 in plugins/sed/models.py after retraining.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from workbench_plugins.audioset.yamnet import YamNet, frame_scores  # noqa: E402
from workbench_plugins.sed.head import (CLASSES, CONTEXT, FRAME_S, build, context_groups, context_logits,
                                        mel_frames)  # noqa: E402
from workbench_plugins.sed.soundscapes import LEVELS, RATE, scene  # noqa: E402

LABELS = {"Siren": "siren", "Car horn": "car_horn", "Speech": "speech"}
HOP_FRAMES = 12  # the plugin's default 0.12 s window hop


def features(seed: int, seconds: float, model: YamNet, levels: str = "spec"):
    sc = scene(seed, seconds, levels)
    mel = mel_frames(sc.audio)
    frames = len(mel) // 4
    _, scores = frame_scores(model, sc.audio, RATE, hop_frames=HOP_FRAMES)
    ctx = context_logits(context_groups(scores, model.labels), HOP_FRAMES * 0.01, frames)
    t = (np.arange(frames) + 0.5) * FRAME_S
    y = np.zeros((frames, len(CLASSES)), np.float32)
    for o, f, lab in sc.events:
        y[(t >= o) & (t < f), [LABELS[c] for c in CLASSES].index(lab)] = 1.0
    return mel, ctx, y


def frame_f1(p: np.ndarray, y: np.ndarray) -> list[float]:
    d = p >= 0.5
    return [float(2 * (d[:, k] & (y[:, k] > 0)).sum() / max(1, d[:, k].sum() + (y[:, k] > 0).sum()))
            for k in range(y.shape[1])]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scenes", type=int, default=800)
    ap.add_argument("--seed", type=int, default=100000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--minutes", type=float, default=7.0, help="training time budget (features not counted)")
    ap.add_argument("--steps", type=int, default=700, help="train this many steps (0: use --minutes) "
                                                        "(reproducible whatever the machine's load)")
    ap.add_argument("--crop", type=float, default=0.0, help="train on random crops of this many seconds "
                                                            "(cheaper steps; 0: whole scenes)")
    ap.add_argument("--dilations", default="1,2,4", help="dilations of the temporal convolutions (1,2,4: "
                                                         "+-0.6 s, the shipped head; 1,2,4,8: +-1.3 s)")
    ap.add_argument("--levels", default="wide", help="the scenes' event-to-background ratios "
                    "(plugins/sed/soundscapes.LEVELS), comma-separated: each seed's scene once per level set "
                    "(the shipped head: wide)")
    ap.add_argument("--out", type=Path, default=REPO / "resources" / "models")
    ap.add_argument("--features", help="cache of the scenes' features (.npz), one per level set, comma-separated: "
                                       "read when it exists (same --scenes/--seed/--seconds/level set), else written")
    a = ap.parse_args()
    bad = [lv for lv in a.levels.split(",") if lv not in LEVELS]
    if bad:
        ap.error(f"unknown level set(s) {', '.join(bad)}; choose from {', '.join(LEVELS)}")
    import torch
    from safetensors.torch import save_file

    torch.set_num_threads(1)
    torch.manual_seed(0)
    t0 = time.perf_counter()
    levels = a.levels.split(",")
    caches = [Path(f) for f in a.features.split(",")] if a.features else [None] * len(levels)
    if len(caches) != len(levels):
        ap.error(f"--features names {len(caches)} cache(s) for {len(levels)} level set(s); give one per level set")
    model = None
    n_val = max(1, a.scenes // 10)
    train, val = [], []
    for lv, cache in zip(levels, caches):  # each seed's scene once per level set: the same events, other levels
        key = f"{a.seed}:{a.scenes}:{a.seconds:g}:{lv}"
        if cache and cache.exists() and str(np.load(cache)["key"]) == key:
            z = np.load(cache)
            data = [(z[f"m{i}"], z[f"c{i}"], z[f"y{i}"]) for i in range(a.scenes)]
        else:
            model = model or YamNet.load(threads=1)
            data = [features(s, a.seconds, model, lv) for s in range(a.seed, a.seed + a.scenes)]
            if cache:
                np.savez(cache, key=key, **{f"{k}{i}": v for i, d in enumerate(data) for k, v in zip("mcy", d)})
        train += data[:-n_val]  # the last seeds are held out in every level set
        val += data[-n_val:]
    data = train + val
    t_feat = time.perf_counter() - t0
    print(f"features of {a.scenes} scenes x {len(levels)} level set(s) in {t_feat:.0f} s")
    allmel = np.concatenate([m for m, _, _ in train])
    mean, std = allmel.mean(axis=0), allmel.std(axis=0) + 1e-3
    sizes = {"n_ctx": len(CONTEXT), "n_out": len(CLASSES), "ch": 24, "hid": 48,
             "dilations": [int(d) for d in a.dilations.split(",")]}
    net = build(**sizes)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    pos = np.concatenate([y for _, _, y in train]).mean(axis=0)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor(np.clip((1 - pos) / pos, 1, 5) ** 0.5))
    frames = min(len(y) for _, _, y in data)

    crop = min(frames, int(round(a.crop / FRAME_S))) if a.crop else frames

    def batch(items, n=frames, starts=None):
        starts = [0] * len(items) if starts is None else starts
        m = np.stack([(mm[4 * f0:4 * (f0 + n)] - mean) / std for (mm, _, _), f0 in zip(items, starts)]).astype(np.float32)
        c = np.stack([cc[f0:f0 + n] for (_, cc, _), f0 in zip(items, starts)])
        y = np.stack([yy[f0:f0 + n] for (_, _, yy), f0 in zip(items, starts)])
        return torch.from_numpy(m), torch.from_numpy(c), torch.from_numpy(y)

    rng = np.random.default_rng(0)
    step, t1, losses = 0, time.perf_counter(), []
    def more() -> bool:
        return step < a.steps if a.steps else time.perf_counter() - t1 < a.minutes * 60

    while more():
        net.train()
        for b in np.array_split(rng.permutation(len(train)), max(1, len(train) // 16)):
            if a.steps and step >= a.steps:
                break
            if a.steps and step == int(0.75 * a.steps):  # a lower rate for the last quarter
                for g in opt.param_groups:
                    g["lr"] *= 0.3
            m, c, y = batch([train[i] for i in b], crop, [int(rng.integers(0, frames - crop + 1)) for _ in b])
            c = c + 0.3 * torch.randn_like(c)  # YAMNet's quantised scores jitter; don't lean on exact values
            loss = loss_fn(net(m, c), y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
            step += 1
        print(f"step {step}: loss {np.mean(losses[-20:]):.4f} ({time.perf_counter() - t1:.0f} s)", flush=True)
    t_train = time.perf_counter() - t1
    net.eval()
    with torch.inference_mode():
        m, c, y = batch(val)
        p = torch.sigmoid(net(m, c)).numpy()
    f1 = frame_f1(p.reshape(-1, len(CLASSES)), y.numpy().reshape(-1, len(CLASSES)))
    print("held-out frame F1 (0.5): " + ", ".join(f"{k} {v:.3f}" for k, v in zip(CLASSES, f1)))
    a.out.mkdir(parents=True, exist_ok=True)
    weights = a.out / "sed_street_head.safetensors"
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, str(weights))
    cfg = {"sizes": sizes, "classes": list(CLASSES), "context": list(CONTEXT), "frame_s": FRAME_S,
           "context_hop_s": HOP_FRAMES * 0.01, "mel_mean": mean.tolist(), "mel_std": std.tolist(),
           "training": {"scenes": f"plugins/sed/soundscapes.py seeds {a.seed}-{a.seed + a.scenes - 1}, "
                                  f"{a.seconds:g} s each, levels {a.levels} (last {n_val} seeds held out)",
                        "steps": step, "crop_s": a.crop, "train_seconds": round(t_train), "feature_seconds": round(t_feat),
                        "threads": 1, "final_loss": round(float(np.mean(losses[-20:])), 4),
                        "heldout_frame_f1": dict(zip(CLASSES, [round(v, 3) for v in f1])),
                        "command": "python scripts/train_sed_head.py " + " ".join(sys.argv[1:])}}
    weights.with_suffix(".json").write_text(json.dumps(cfg, indent=1) + "\n")
    print(f"wrote {weights} ({time.perf_counter() - t0:.0f} s in all)")


if __name__ == "__main__":
    main()
