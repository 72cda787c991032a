"""Song identification (landmark fingerprints) on clips degraded like a phone held up to a loudspeaker.

Usage: python benchmarks/eval_audio_id.py CORPUS [--clips-per-track 3] [--seed 0]
CORPUS is the evaluation corpus folder (``/work/shared/corpus``). The library holds the first version (``_A``) of
each covers/ work and the music clips of tagging/. Queries are 8 s excerpts band-limited to 300-4000 Hz, with pink
noise at 5 dB SNR (in that band) and a gain change of -20..+6 dB:
- from library tracks: right when the top match is the track and its offset is within 0.2 s of the truth;
- from other recordings of the same works (covers/ ``_B``, ``_C``: other instruments, tempo or key) and from
  speech and separation recordings that are not in the library: right when nothing matches.
Goals: >= 95 % top-1 with the offset within 0.2 s; no match for the clips not in the library.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.plugins.song_synth import phone  # noqa: E402
from workbench.core.audio_io import load_audio  # noqa: E402
from workbench_plugins.cover_search.identify import identify  # noqa: E402
from workbench_plugins.cover_search.library import Library  # noqa: E402

CLIP_S = 8.0


def clips(path: Path, count: int, rng: np.random.Generator, whole_if_short: bool = False):
    buf = load_audio(path)
    y, sr = buf.mono_samples, buf.sample_rate
    n = int(CLIP_S * sr)
    if len(y) < n + sr:  # a short recording: skipped, or (for clips that must not match) the whole of it
        if whole_if_short and len(y) >= 3 * sr:
            yield 0.0, phone(y, sr, rng), sr
        return
    for _ in range(count):
        start = int(rng.integers(0, len(y) - n))
        yield start / sr, phone(y[start:start + n], sr, rng), sr


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--clips-per-track", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    c = args.corpus
    members = sorted(c.glob("covers/*_A.flac")) + sorted(p for p in (c / "tagging").rglob("*")
                                                          if p.suffix in (".wav", ".ogg", ".flac", ".mp3"))
    others = sorted(c.glob("covers/*_B.flac")) + sorted(c.glob("covers/*_C.flac"))
    audio = lambda folder: sorted(p for p in (c / folder).rglob("*")  # noqa: E731
                                  if p.suffix in (".wav", ".ogg", ".flac", ".mp3"))
    strangers = audio("speech")[::4][:6] + audio("separation")[::3][:6]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "music"
        folder.mkdir()
        for p in members:
            (folder / f"{p.parent.name}_{p.name}").symlink_to(p.resolve())
        with Library(Path(tmp) / "lib.sqlite") as lib:
            t0 = time.perf_counter()
            report = lib.add_folder(folder)
            index_s = time.perf_counter() - t0
            audio_s = sum(d for *_, d in lib.tracks())
            rows, pos_ok, neg_ok, times = [], [], [], []
            for kind, files in (("in library", sorted(folder.iterdir())), ("other version", others),
                                ("not in library", strangers)):
                for path in files:
                    for start, clip, sr in clips(path, args.clips_per_track, rng, kind != "in library"):
                        t = time.perf_counter()
                        found = identify(lib.db, str(lib.path), clip, sr, top_k=3)
                        times.append(time.perf_counter() - t)
                        top = found[0] if found else None
                        if kind == "in library":
                            ok = top is not None and Path(top["path"]).name == path.name \
                                and abs(top["offset_s"] - start) <= 0.2
                            pos_ok.append(ok)
                        else:
                            ok = top is None
                            neg_ok.append(ok)
                        rows.append((kind, path.name[:34], f"{start:7.2f}",
                                     Path(top["path"]).name[:34] if top else "-",
                                     f"{top['offset_s']:7.2f}" if top else "-", str(top["score"]) if top else "-",
                                     "ok" if ok else "WRONG"))
    widths = [max(len(r[i]) for r in rows + [("kind", "clip of", "start", "top match", "offset", "score", "")])
              for i in range(7)]
    print("  ".join(h.ljust(w) for h, w in zip(("kind", "clip of", "start", "top match", "offset", "score", ""),
                                                 widths)))
    for r in rows:
        print("  ".join(x.ljust(w) for x, w in zip(r, widths)))
    print()
    print(f"library: {report.analysed} tracks, {audio_s:.0f} s of audio indexed in {index_s:.1f} s "
          f"({audio_s / max(index_s, 1e-9):.0f}x real time, cover features included)")
    print(f"top-1 with offset within 0.2 s: {sum(pos_ok)}/{len(pos_ok)} = {np.mean(pos_ok):.1%} (goal >= 95%)")
    print(f"no match for clips not in the library: {sum(neg_ok)}/{len(neg_ok)} = {np.mean(neg_ok):.1%} "
          f"(goal 100%; {len([r for r in rows if r[0] == 'other version'])} of them other versions of library works)")
    print(f"query time: median {np.median(times) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
