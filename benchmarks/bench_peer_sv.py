"""Side by side with Sonic Visualiser: open -> first feedback and -> settled whole-file view, peak memory.

Generates the test file of issue 14 (stereo 44.1 kHz int16 WAV, default 60 minutes: noise, a 440 Hz tone on the
left, a 1 kHz tone on the right, a 3 kHz tone in every other 5-minute block, 40 clicks of 3 ms) and an MP3 of it at
192 kb/s (ffmpeg, lameenc, PyAV or libsndfile, whichever is there; the MP3 rows are skipped when none is). Then, under a
private Xvfb display, for each app and file:

- start the app on an empty window and wait until the screen is still (so start-up is not counted);
- send the open request (Sonic Visualiser: ``/open F``, ``/add spectrogram``, ``/zoom fit`` on its
  ``--osc-script -`` stdin, and a second ``/zoom fit`` the moment its log says the file is decoded, since SV
  learns the length while decoding; ours: the real ``MainWindow`` from ``workbench.gui.app.create_window`` fed
  ``open F`` on stdin, which calls the same ``window.files.open_paths`` as File > Open);
- grab the whole screen with ``xwd`` as fast as it goes (~50 ms a grab) and date three moments from the request:
  "first change" (any pixel differs from the empty window: may be just a status message), "first content" (at
  least 5% of the screen turned colourful: audio drawn, as both apps draw audio in colour and chrome in greys)
  and "settled" (the last change before the screen stayed still for ``--quiet`` seconds; a longer pause in the
  middle of the work would end a run early, so the default is generous; our window also logs each image its pane
  gets, and its watch does not end before a complete one: it once showed a flat colour field for > 4 s before
  the real image; the time of that last image is printed per run as a cross-check);
- sample the RSS of the app's whole process tree every 50 ms; "peak memory" is the highest sum.

Prints medians over ``--runs`` (timings swing on a shared CPU; runs alternate between the apps) and the ratio
SV / ours (> 1: we are faster or smaller), and saves the last run's first-content and settled screens to ``--out``
as PNGs for a human to compare (the clicks should be visible in both at full zoom-out; their times are in
``clicks.txt``).

Each run gets a fresh HOME and XDG_CACHE_HOME (no settings or disk tile cache carried over). The OS page cache is
not dropped: after the first run the file is read from memory, for both apps alike.

Skips with a message (exit 0) when Xvfb, xwd or Sonic Visualiser is missing
(Debian: ``apt-get install sonic-visualiser xvfb x11-apps``).

Usage: python benchmarks/bench_peer_sv.py [--minutes 60] [--runs 3] [--out bench_peer_out] [--data DIR]
                                          [--formats wav,mp3] [--apps sv,ours] [--quiet 4] [--timeout 300]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from long_test_file import SR, click_starts, make_mp3, make_wav
from screen_watch import GRAB_S, SCREEN, MemorySampler, VirtualScreen, tree_rss_bytes, wait_still, write_png, xwd_to_rgb

SV_VERSION_TAG = "4.5.1"
SV_LOG = "sonic-visualiser/Sonic Visualiser/log/sv-debug.log"  # under XDG_DATA_HOME


def test_files(folder: Path, minutes: float, want_mp3: bool) -> dict[str, Path]:
    """The WAV (and MP3) for ``minutes``, made once and reused from ``folder`` on later calls."""
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"peer_{minutes:g}min.wav"
    if not wav.exists():
        t = time.perf_counter()
        make_wav(wav, minutes)
        print(f"generated {wav} ({wav.stat().st_size / 2**20:.0f} MiB) in {time.perf_counter() - t:.0f} s", flush=True)
    files = {"wav": wav}
    if want_mp3:
        mp3 = wav.with_suffix(".mp3")
        if not mp3.exists():
            t = time.perf_counter()
            encoder = make_mp3(wav, mp3)
            if encoder is None:
                print("no MP3 encoder (ffmpeg, lameenc, PyAV or libsndfile): skipping the MP3 rows", flush=True)
                return files
            print(f"encoded {mp3.name} with {encoder} in {time.perf_counter() - t:.0f} s", flush=True)
        files["mp3"] = mp3
    return files


def fresh_env(home: Path, display: str) -> dict[str, str]:
    env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_CACHE_HOME=str(home / ".cache"), XDG_DATA_HOME=str(home / ".local/share"), DISPLAY=display,
               QT_QPA_PLATFORM="xcb")
    env.pop("WAYLAND_DISPLAY", None)
    return env


def sv_settings(home: Path) -> None:
    """Pre-answer SV's first-run network question (a modal dialog would block) and size its window."""
    conf = home / ".config" / "sonic-visualiser" / "Sonic Visualiser.conf"
    conf.parent.mkdir(parents=True, exist_ok=True)
    conf.write_text(f"[Preferences]\nnetwork-permission-{SV_VERSION_TAG}=false\n"
                    f"[MainWindow]\nmaximised=false\nposition=@Point(0 0)\nsize=@Size({SCREEN[0]} {SCREEN[1]})\n")


def start_app(app: str, home: Path, display: str) -> subprocess.Popen:
    env = fresh_env(home, display)
    if app == "sv":
        sv_settings(home)
        cmd = ["sonic-visualiser", "--osc-script", "-"]
    else:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--our-window"]
        env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).resolve().parents[1]), env.get("PYTHONPATH", "")])
    log = open(home / f"{app}.log", "w")
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT, env=env, text=True,
                            bufsize=1, start_new_session=True)


def open_commands(app: str, path: Path) -> str:
    if app == "sv":
        return f"/open {path}\n/add spectrogram\n/zoom fit\n"
    return f"open {path}\n"


def stop_app(proc: subprocess.Popen) -> None:
    try:
        proc.stdin.write("/quit\n" if "sonic-visualiser" in proc.args[0] else "quit\n")
        proc.stdin.close()
        proc.wait(5)
    except (OSError, subprocess.TimeoutExpired, ValueError):
        pass
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


class SvZoomFit:
    """Sends SV a second ``/zoom fit`` as soon as its log says the whole file is decoded.

    SV learns a file's length while it decodes it (WAVs too, in a thread); a ``/zoom fit`` sent with the open fits
    only what is decoded by then. A user would press "zoom to fit" once the file is in: this does it within ~80 ms.
    """

    MARKER = b"File decodes to"

    def __init__(self, proc: subprocess.Popen, home: Path):
        self.proc, self.log, self.sent = proc, home / ".local/share" / SV_LOG, False
        self.offset = self.log.stat().st_size if self.log.exists() else 0  # only lines written after the open

    def __call__(self) -> None:
        if self.sent or not self.log.exists():
            return
        with open(self.log, "rb") as f:
            f.seek(self.offset)
            text = f.read()
        self.offset += text.rfind(b"\n") + 1  # resume at the last whole line
        if self.MARKER in text:
            self.proc.stdin.write("/zoom fit\n")
            self.proc.stdin.flush()
            self.sent = True


def run_once(screen: VirtualScreen, app: str, path: Path, quiet: float, timeout: float, work: Path) -> dict:
    """One fresh process of ``app``: empty window still -> open ``path`` -> screen still again."""
    home = Path(tempfile.mkdtemp(prefix=f"{app}_", dir=work))
    black = screen.grab()
    proc = start_app(app, home, screen.name)
    try:
        def alive() -> None:
            if proc.poll() is not None:
                log = (home / f"{app}.log").read_text(errors="replace").strip().splitlines()
                raise RuntimeError(f"{app} exited (code {proc.returncode}): {log[-1] if log else 'no output'}")

        # start-up, not counted: wait for the window to appear (the screen was black) and then to stay still
        empty = wait_still(screen, 3.0, 90.0, time.perf_counter(), baseline=black, on_tick=alive).last_frame
        idle_rss = tree_rss_bytes(proc.pid)
        zoom_fit = SvZoomFit(proc, home) if app == "sv" else None
        sampler = MemorySampler(proc.pid)
        sampler.start()
        t0 = time.perf_counter()
        proc.stdin.write(open_commands(app, path))
        proc.stdin.flush()
        def tick() -> None:
            alive()
            if zoom_fit is not None:
                zoom_fit()

        def our_pane_complete() -> bool:  # our window logs each pane image; the last one is "complete True"
            text = (home / f"{app}.log").read_text(errors="replace")
            return any(line.startswith("pane image ") and line.endswith("complete True") for line in text.splitlines())

        try:
            seen = wait_still(screen, quiet, timeout, t0, baseline=empty, on_tick=tick,
                              done=our_pane_complete if app == "ours" else None)
        finally:
            peak = sampler.stop()
        if zoom_fit is not None and not zoom_fit.sent:
            print("  note: SV never logged the end of decoding; its view may not cover the whole file", flush=True)
    finally:
        stop_app(proc)
    shutil.rmtree(home / ".cache", ignore_errors=True)  # our disk tile cache can be large
    own = [float(line.split()[2]) for line in (home / f"{app}.log").read_text(errors="replace").splitlines()
           if line.startswith("pane image ")]  # our window's own word, to cross-check the screen watch
    return {"own": own[-1] if own else None, "first": seen.first_change, "content": seen.first_content,
            "settled": seen.last_change, "peak": peak, "idle": idle_rss, "frame": seen.last_frame,
            "content_frame": seen.content_frame}


# ---------------------------------------------------------------------------------------------- our window

def our_window_main() -> int:
    """Child process: our MainWindow at the benchmark's size; reads ``open PATH`` / ``quit`` lines on stdin."""
    from PySide6.QtCore import QSocketNotifier

    from workbench.gui.app import create_app, create_window

    app = create_app()
    window = create_window()
    window.move(0, 0)
    window.resize(*SCREEN)
    opened_at: list[float] = []

    def report_image(image) -> None:  # a cross-check of the screen watch, written to the child's log
        if opened_at:
            print(f"pane image {time.perf_counter() - opened_at[0]:.3f} s after the open request, complete "
                  f"{getattr(image, 'complete', True)}", flush=True)

    window.pane.image_updated.connect(report_image)

    pending = bytearray()

    def on_stdin() -> None:  # raw reads: a buffered readline could swallow a second line the notifier never sees
        chunk = os.read(sys.stdin.fileno(), 65536)
        pending.extend(chunk)
        while b"\n" in pending or not chunk:
            line, _, rest = bytes(pending).partition(b"\n")
            pending[:] = rest
            text = line.decode().strip()
            if not chunk or text == "quit":
                app.quit()
                return
            if text.startswith("open "):
                opened_at.append(time.perf_counter())
                window.files.open_paths([text[5:]])

    notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(on_stdin)
    code = app.exec()
    window.close()
    return int(code)


# ---------------------------------------------------------------------------------------------- main

def missing_tools(apps: list[str]) -> list[str]:
    need = ["Xvfb", "xwd"] + (["sonic-visualiser"] if "sv" in apps else [])
    return [t for t in need if shutil.which(t) is None]


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def time_ratio(a: float | None, b: float | None) -> str:
    """SV / ours for times; a time under one grab interval is only known to be below it."""
    if a is None or b is None:
        return "-"
    return f"> {a / GRAB_S:.1f}x" if b < GRAB_S else f"{a / b:.2f}x"


def seconds(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--our-window"]:
        return our_window_main()
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0, help="length of the test file (default 60)")
    ap.add_argument("--runs", type=int, default=3, help="runs per app and file; medians are printed (default 3)")
    ap.add_argument("--out", type=Path, default=Path("bench_peer_out"), help="folder for the final screenshots")
    ap.add_argument("--data", type=Path, default=Path(tempfile.gettempdir()) / "bench_peer_sv",
                    help="folder for the generated test files (reused when present)")
    ap.add_argument("--formats", default="wav,mp3", help="comma list of wav, mp3")
    ap.add_argument("--apps", default="sv,ours", help="comma list of sv, ours")
    ap.add_argument("--quiet", type=float, default=4.0,
                    help="seconds without a screen change that count as settled (default 4)")
    ap.add_argument("--timeout", type=float, default=300.0, help="give up on one open after this many seconds")
    args = ap.parse_args(argv)
    apps = [a for a in args.apps.split(",") if a]
    formats = [f for f in args.formats.split(",") if f]
    if bad := [a for a in apps if a not in ("sv", "ours")] + [f for f in formats if f not in ("wav", "mp3")]:
        ap.error(f"unknown app or format: {', '.join(bad)}")
    if args.minutes <= 0.1 or args.runs < 1 or args.quiet <= 0:
        ap.error("--minutes must be > 0.1, --runs >= 1 and --quiet > 0")
    if missing := missing_tools(apps):
        print(f"skipped: {', '.join(missing)} not installed (Debian: apt-get install sonic-visualiser xvfb x11-apps)")
        return 0

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the apps and Xvfb are stopped on the way out
    files = test_files(args.data, args.minutes, "mp3" in formats)
    (args.out).mkdir(parents=True, exist_ok=True)
    clicks_txt = "\n".join(f"{c / SR:.3f}" for c in click_starts(args.minutes))
    (args.out / "clicks.txt").write_text(f"# click start times (s) in peer_{args.minutes:g}min\n{clicks_txt}\n")
    results: dict[tuple[str, str], list[dict]] = {}
    screen = VirtualScreen()
    work = Path(tempfile.mkdtemp(prefix="bench_peer_"))
    try:
        for fmt in [f for f in formats if f in files]:
            for r in range(args.runs):
                for app in apps:  # interleaved, so a slow spell of the shared CPU hits both apps alike
                    if not screen.alive():  # Xvfb gone (killed from outside): a fresh one for the next runs
                        print("  Xvfb stopped; starting a new one", flush=True)
                        screen.close()
                        screen = VirtualScreen()
                    try:
                        res = run_once(screen, app, files[fmt], args.quiet, args.timeout, work)
                    except (TimeoutError, RuntimeError) as e:  # one bad run should not lose the others
                        print(f"  {fmt} run {r + 1} {app:4s}: failed: {e}", flush=True)
                        continue
                    results.setdefault((app, fmt), []).append(res)
                    print(f"  {fmt} run {r + 1} {app:4s}: first change {seconds(res['first'])} s, first content "
                          f"{seconds(res['content'])} s, settled {seconds(res['settled'])} s, peak "
                          f"{res['peak'] / 2**20:.0f} MiB (idle {res['idle'] / 2**20:.0f} MiB)"
                          + (f"; our pane's last image came at {res['own']:.2f} s" if res["own"] else ""),
                          flush=True)
            for app in apps:  # the last run's screens: what the first content was, and the settled view
                if not results.get((app, fmt)):
                    continue
                last = results[(app, fmt)][-1]
                for kind, frame in (("settled", last["frame"]), ("first_content", last["content_frame"])):
                    if frame:
                        png = args.out / f"{app}_{fmt}_{args.minutes:g}min_{kind}.png"
                        write_png(png, xwd_to_rgb(frame))
                        print(f"  saved {png}", flush=True)
    finally:
        screen.close()
        shutil.rmtree(work, ignore_errors=True)

    def med(app: str, fmt: str, key: str) -> float | None:
        values = [x[key] for x in results.get((app, fmt), []) if x[key] is not None]
        return statistics.median(values) if values else None

    print(f"\n{args.minutes:g}-minute stereo 44.1 kHz file, {SCREEN[0]}x{SCREEN[1]} Xvfb screen, median of "
          f"{args.runs} runs (shared CPU: timings swing). Ratio = SV / ours (> 1: ours faster or smaller).")
    print("| measure | Sonic Visualiser | ours | SV / ours |\n|---|---|---|---|")
    for fmt in [f for f in formats if f in files]:
        size = files[fmt].stat().st_size / 2**20
        for label, key in (("first change on screen", "first"), ("first content on screen", "content"),
                           ("open -> whole-file view settled", "settled"), ("peak memory (process tree)", "peak")):
            sv, ours = med("sv", fmt, key), med("ours", fmt, key)
            if key == "peak":
                cells = [f"{v / 2**20:.0f} MiB" if v else "-" for v in (sv, ours)] + [ratio(sv, ours)]
            else:
                cells = [f"{v:.2f} s" if v is not None else "-" for v in (sv, ours)] + [time_ratio(sv, ours)]
            print(f"| {fmt.upper()} ({size:.0f} MiB): {label} | " + " | ".join(cells) + " |")
    print(f"screenshots of the settled screens: {args.out}/ (click times: {args.out / 'clicks.txt'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
