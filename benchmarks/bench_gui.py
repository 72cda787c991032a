"""GUI timings on a long file: open -> first feedback, first image, whole faithful view, zoom and scroll steps.

Generates the long test file of issue 14 (``long_test_file.py``: stereo 44.1 kHz int16, default 60 minutes, in a
temp dir; ``--mp3`` an MP3 of it at 192 kb/s): noise, 440 Hz and 1 kHz tones, a 3 kHz tone in every other 5 minutes
and 40 clicks of 3 ms, opens it in the real MainWindow (offscreen) through the same
path as File > Open (streamed decode with previews, provider, overview, progressive renders), and measures from
the open request to: the first preview of decoded audio in the overview ("first feedback"), the first spectrogram
image on screen, partial or not ("first image"), and the complete whole-file view ("first view": every column
the max of all frames under it). Each run uses a fresh window
and a fresh, empty disk tile cache (XDG_CACHE_HOME points into the temp dir), so nothing is reused across runs
except what the process has already imported (the first run of the process also pays the torch import).

Usage: python benchmarks/bench_gui.py [--minutes 60] [--runs 3] [--kinds stft,mel,cqt] [--steps 6]
Prints a table: median wall time (and process CPU time) over runs, with the goal of issue 3.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from long_test_file import make_mp3, make_wav  # noqa: E402  (the issue's file, shared with bench_peer_sv.py)

GOALS_MS = {"first feedback": 300.0, "first image": 500.0, "first view": 2000.0, "decode": float("nan"),
            "decoded->image": 1000.0, "zoom step": 50.0, "scroll step": 50.0}


def run_once(app, path: Path, kind: str, steps: int, cache_root: Path, timeout: float = 120.0) -> dict:
    """One fresh window: open ``path`` with view ``kind``; returns lists of (wall s, cpu s) per measure."""
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QSettings, QTimer

    from workbench.gui.main_window import MainWindow
    from workbench.gui.settings_store import SettingsStore

    os.environ["XDG_CACHE_HOME"] = str(cache_root)  # a fresh, empty disk tile cache for this run
    store = SettingsStore(QSettings(str(cache_root / "settings.ini"), QSettings.Format.IniFormat))
    w = MainWindow(settings=store)
    w.resize(1400, 860)
    w.show()
    app.processEvents()
    w.view_controls.set_kind(kind)
    app.processEvents()

    def wait_shown(t_start: float) -> None:
        # A real event loop (as in the app) with a 2 ms check: a busy processEvents() loop would hold the GIL
        # and slow the decoder and render threads down.
        loop = QEventLoop()
        timer = QTimer(interval=2)

        def check() -> None:
            if (w.doc.audio is not None and w.pane.is_up_to_date()) or time.perf_counter() - t_start > timeout:
                loop.quit()

        timer.timeout.connect(check)
        timer.start()
        check()
        loop.exec()
        timer.stop()
        if not (w.doc.audio is not None and w.pane.is_up_to_date()):
            raise TimeoutError(f"{kind}: no image after {timeout} s")

    out = {"first feedback": [], "first image": [], "first view": [], "decode": [], "decoded->image": [],
           "zoom step": [], "scroll step": []}
    opened, fed, imaged = [], [], []
    w.file_opened.connect(lambda _p: opened.append((time.perf_counter(), time.process_time())))
    w.files.loader.signals.preview.connect(  # after the window drew it (connected first)
        lambda _t, p: fed.append((time.perf_counter(), time.process_time())) if p.decoded_frames and not fed else None)
    w.pane.image_updated.connect(lambda _i: imaged.append((time.perf_counter(), time.process_time())))
    c0, t0 = time.process_time(), time.perf_counter()
    w.files.open_paths([str(path)])
    wait_shown(t0)
    t1, c1 = time.perf_counter(), time.process_time()
    out["first view"].append((t1 - t0, c1 - c0))
    first_fed = fed[0] if fed else opened[0]  # a file decoded before its first preview: the image is the feedback
    out["first feedback"].append((first_fed[0] - t0, first_fed[1] - c0))
    out["first image"].append((imaged[0][0] - t0, imaged[0][1] - c0))
    out["decode"].append((opened[0][0] - t0, opened[0][1] - c0))  # open request -> decoded and handed to the window
    out["decoded->image"].append((t1 - opened[0][0], c1 - opened[0][1]))
    dur = w.doc.audio.duration
    w.pane.set_time_range(dur / 2, dur / 2 + 60.0)  # a one-minute view in the middle, then zoom and scroll
    wait_shown(time.perf_counter())
    for i in range(steps):
        c0, t0 = time.process_time(), time.perf_counter()
        w.pane.zoom_time(1.25 if i % 2 == 0 else 0.8)
        wait_shown(t0)
        out["zoom step"].append((time.perf_counter() - t0, time.process_time() - c0))
        c0, t0 = time.process_time(), time.perf_counter()
        w.pane.scroll_time(0.2)
        wait_shown(t0)
        out["scroll step"].append((time.perf_counter() - t0, time.process_time() - c0))
    # Delete the window, as closing the app's only window would: a closed window that is never deleted keeps
    # its pane, tiles and pyqtgraph items (20-50 MiB a run here), which piled up over the runs of one process.
    w.close()
    w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    del w
    gc.collect()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--kinds", default="stft,mel,cqt")
    ap.add_argument("--mp3", action="store_true", help="open an MP3 (192 kb/s) of the same audio instead")
    args = ap.parse_args(argv)

    from workbench.gui.app import create_app

    app = create_app()
    with tempfile.TemporaryDirectory(prefix="bench_gui_") as tmp:
        tmp = Path(tmp)
        t = time.perf_counter()
        path = make_wav(tmp / f"long_{args.minutes:g}min.wav", args.minutes)
        if args.mp3:
            mp3 = path.with_suffix(".mp3")
            encoder = make_mp3(path, mp3)
            if encoder is None:
                print("no MP3 encoder (ffmpeg, lameenc, PyAV or libsndfile)")
                return 1
            path = mp3
        kbps = path.stat().st_size * 8 / 1000 / (args.minutes * 60)
        print(f"generated {path.name} ({path.stat().st_size / 2**20:.0f} MiB, {kbps:.0f} kb/s) in "
              f"{time.perf_counter() - t:.1f} s", flush=True)
        rows = []
        for kind in args.kinds.split(","):
            samples: dict[str, list] = {}
            for r in range(args.runs):
                res = run_once(app, path, kind, args.steps, tmp / f"cache_{kind}_{r}")
                for k, v in res.items():
                    samples.setdefault(k, []).extend(v)
                print(f"  {kind} run {r + 1}: " + ", ".join(
                    f"{k} {statistics.median(x[0] for x in v) * 1000:.0f} ms" for k, v in res.items()), flush=True)
            for k, v in samples.items():
                wall = statistics.median(x[0] for x in v) * 1000
                cpu = statistics.median(x[1] for x in v) * 1000
                rows.append((kind, k, wall, cpu, GOALS_MS[k], len(v)))
    print(f"\n{args.minutes:g}-minute stereo 44.1 kHz {'MP3' if args.mp3 else 'WAV'}, MainWindow offscreen, median of {args.runs} runs "
          f"(zoom/scroll: {args.steps} steps each run; includes the pane's 25 ms debounce)")
    print(f"{'view':5s} {'measure':14s} {'wall ms':>9s} {'cpu ms':>9s} {'goal ms':>8s} {'wall/goal':>9s} {'n':>3s}")
    for kind, k, wall, cpu, goal, n in rows:
        print(f"{kind:5s} {k:14s} {wall:9.0f} {cpu:9.0f} {goal:8.0f} {wall / goal:9.2f} {n:3d}")
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (max RSS of this process, all runs): {peak:.0f} MiB (goal <= 2200)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
