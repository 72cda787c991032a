"""SI-SDR of the *live* vocal separation (LiveSeparator) against block size, look-ahead and mask, offline.

    python benchmarks/eval_live_separation.py ../shared/corpus [--count 4] [--seconds 12] [--snr 0]
           [--settings 0.5:4096:64:ratio,0.1:2205:64:ratio]

Mixtures are built as in ``eval_separation.py``: each speech recording of ``<corpus>/speech`` (up to --count,
sorted) over a clip of ``<corpus>/tagging`` at --snr dB, 44.1 kHz mono; the speech and the music are the
reference stems. Each mixture is fed in 50 ms hops (the live driver's hop) through the same LiveSeparator the
live panel uses, and its output blocks are joined on the stream clock. A setting is
``block_s:lookahead:window_frames:mask`` (see ``workbench_plugins.separation.live``).

Columns: SI-SDR of the live vocals against the speech and its improvement over the mixture (SI-SDRi), SI-SDR of
the live accompaniment (mix - vocals) against the music, SI-SDR of the live vocals against the offline plugin's
vocals (how close streaming stays to the whole-file result), the algorithmic delay (block + look-ahead), the
median / 90th-percentile compute per block and its ratio to the block duration (> 1: cannot keep up in real
time). Medians over mixtures; timings on a CPU that may be shared, so they swing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from eval_separation import files, si_sdr  # noqa: E402
from workbench.core.audio import AudioBuffer  # noqa: E402
from workbench.core.audio_io import load_audio  # noqa: E402
from workbench.core.errors import WorkbenchError  # noqa: E402
from workbench.core.plugin_api import JobContext  # noqa: E402

RATE = 44100
HOP = 2205  # the separation monitor's driver hop (50 ms)
DEFAULT_SETTINGS = ("0.5:4096:64:ratio,0.25:2205:64:ratio,0.1:4096:64:ratio,0.1:2205:64:ratio,0.1:1024:64:ratio,"
                    "0.1:2205:96:ratio,0.1:2205:64:vocal-net,0.05:2205:64:ratio")


def parse_settings(text: str) -> list[tuple[float, int, int, str]]:
    out = []
    for item in text.split(","):
        parts = item.split(":")
        try:
            block, lookahead, frames, mask = float(parts[0]), int(parts[1]), int(parts[2]), parts[3]
        except (ValueError, IndexError):
            raise WorkbenchError(f"bad setting '{item}': expected block_s:lookahead:window_frames:mask, "
                                 "e.g. 0.1:2205:64:ratio")
        out.append((block, lookahead, frames, mask))
    return out


def mixtures(corpus: Path, count: int, seconds: float, snr: float):
    speech, music = files(corpus / "speech")[:count], files(corpus / "tagging")
    for i, sp in enumerate(speech):
        s = load_audio(sp).mono(RATE).samples[0]
        mb = load_audio(music[i % len(music)]).mono(RATE).samples[0]
        start = 5 * RATE if len(mb) > len(s) + 5 * RATE else 0
        m = np.resize(mb[start:], len(s))  # loop a short clip
        s = s * np.sqrt(np.mean(m ** 2) / (np.mean(s ** 2) + 1e-12)) * 10 ** (snr / 20)
        n = len(s) if seconds <= 0 else min(len(s), int(seconds * RATE))
        yield sp.name, music[i % len(music)].name, s[:n].astype(np.float32), m[:n].astype(np.float32)


def run_live(separator, mix: np.ndarray) -> np.ndarray:
    """The separator's output for ``mix`` fed in driver hops, on the input's clock (same length)."""
    out = np.zeros(len(mix) + separator.block, np.float32)

    def keep(block, t0):
        i = int(round(t0 * RATE))
        out[i:i + len(block)] = block[:max(0, len(out) - i)]

    separator.on_output = keep
    for i in range(0, len(mix), HOP):
        separator.push(mix[i:i + HOP], i / RATE)
    separator.flush()
    return out[:len(mix)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", type=Path, help="corpus root holding speech/ and tagging/")
    ap.add_argument("--count", type=int, default=4, help="mixtures (one per speech recording)")
    ap.add_argument("--seconds", type=float, default=12.0, help="seconds of each mixture (0: all)")
    ap.add_argument("--snr", type=float, default=0.0, help="speech-to-music power ratio in dB")
    ap.add_argument("--settings", default=DEFAULT_SETTINGS, help="comma-separated block_s:lookahead:frames:mask")
    ap.add_argument("--threads", type=int, default=1, help="torch intra-op threads (the live bench uses 1)")
    a = ap.parse_args()
    for sub in ("speech", "tagging"):
        if not (a.corpus / sub / "manifest.json").is_file():
            print(f"error: {a.corpus / sub / 'manifest.json'} not found (pass the corpus root)", file=sys.stderr)
            return 2
    try:
        settings = parse_settings(a.settings)
    except WorkbenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(a.threads)
    from workbench_plugins.separation import plugin
    from workbench_plugins.separation.live import LiveSeparator

    ctx = JobContext(device="cpu")
    nets = plugin.spleeter_nets(ctx)
    mixes = list(mixtures(a.corpus, a.count, a.seconds, a.snr))
    offline = {}
    for name, _, s, m in mixes:
        mix = s + m
        tracks = plugin.process(AudioBuffer(mix, RATE), {"model": "spleeter-2stems"}, ctx)[0].tracks
        offline[name] = tracks["vocals"].samples[0]
    print(f"{len(mixes)} mixtures, {sum(len(s) for _, _, s, _ in mixes) / RATE:.0f} s, {a.snr:g} dB speech/music, "
          f"torch threads {torch.get_num_threads()}")
    print("| block s | look-ahead | frames | mask | delay ms | vocals SI-SDR | SI-SDRi | accomp. SI-SDR | "
          "vs offline | compute ms (med / p90) | compute / block |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    whole = [(si_sdr(offline[n], s), si_sdr(offline[n], s) - si_sdr(s + m, s), si_sdr(s + m - offline[n], m), 0.0)
             for n, _, s, m in mixes]
    _print_row(("offline", "-", 512, "ratio", whole), None, None)
    for block, lookahead, frames, mask in settings:
        results, compute = [], []
        for name, _, s, m in mixes:
            mix = s + m
            sep = LiveSeparator(nets, "cpu", "vocals", block, lookahead=lookahead, window_frames=frames, mask=mask)
            v = run_live(sep, mix)
            compute += sep.compute_seconds
            skip = int(0.5 * RATE)  # the stream's first window is mostly silence: leave its start out
            results.append((si_sdr(v[skip:], s[skip:]), si_sdr(v[skip:], s[skip:]) - si_sdr(mix[skip:], s[skip:]),
                            si_sdr(mix[skip:] - v[skip:], m[skip:]), si_sdr(v[skip:], offline[name][skip:])))
        _print_row((block, lookahead, frames, mask, results), compute, block)
    return 0


def _print_row(row, compute, block) -> None:
    block_s, lookahead, frames, mask, results = row
    med = [statistics.median(r[k] for r in results) for k in range(4)]
    if compute is None:
        print(f"| offline (whole file) | - | {frames} | {mask} | - | {med[0]:.1f} | {med[1]:.1f} | {med[2]:.1f} | - | - | - |")
        return
    c_med, c_p90 = 1000 * float(np.median(compute)), 1000 * float(np.percentile(compute, 90))
    delay = 1000 * (block_s + lookahead / RATE)
    print(f"| {block_s:g} | {lookahead} ({1000 * lookahead / RATE:.0f} ms) | {frames} | {mask} | {delay:.0f} | "
          f"{med[0]:.1f} | {med[1]:.1f} | {med[2]:.1f} | {med[3]:.1f} | {c_med:.0f} / {c_p90:.0f} | "
          f"{c_med / (1000 * block_s):.2f} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
