"""Side by side with Sonic Visualiser: open -> first feedback and -> settled whole-file view, peak memory.

Generates the test file of issue 14 (stereo 44.1 kHz int16 WAV, default 60 minutes: noise, a 440 Hz tone on the
left, a 1 kHz tone on the right, a 3 kHz tone in every other 5-minute block, 40 clicks of 3 ms) and an MP3 of it at
192 kb/s (ffmpeg, lameenc or PyAV, whichever is there; the MP3 rows are skipped when none is). Then, under a
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
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

SR = 44100
SCREEN = (1600, 1000)
FRAME_INTERVAL_S = 0.03  # pause between screen grabs (each grab itself takes ~50 ms)
GRAB_S = 0.08  # so a change is seen within ~80 ms
SV_VERSION_TAG = "4.5.1"
SV_LOG = "sonic-visualiser/Sonic Visualiser/log/sv-debug.log"  # under XDG_DATA_HOME
# A frame "shows content" when >= 5% of the screen turned colourful since the empty window: SV's empty new pane
# (coloured zero lines, ~0.3%) or our partial overview strip alone (< 1%) stay below it, a drawn waveform or
# spectrogram is well above. It cannot tell a real partial image from a flat colour fill: look at the PNG.
CONTENT_FRACTION = 0.05
CHROMA_MIN = 48  # max(R, G, B) - min(R, G, B) of a colourful pixel (greys are below ~10)


# ---------------------------------------------------------------------------------------------- the test file

def click_starts(minutes: float, n_clicks: int = 40) -> list[int]:
    """Sample positions of the clicks: spread at random (fixed seed) over the file, away from the ends."""
    import numpy as np

    n = int(minutes * 60 * SR)
    rng = np.random.default_rng(14)
    return sorted(int(c) for c in rng.integers(SR, n - SR, n_clicks))


def make_wav(path: Path, minutes: float) -> Path:
    """Write the test WAV in one-minute blocks (keeps memory low for an hour-long file)."""
    import numpy as np
    import soundfile as sf

    n = int(minutes * 60 * SR)
    clicks = click_starts(minutes)
    click_len = int(0.003 * SR)
    rng = np.random.default_rng(0)
    block = SR * 60
    tmp = path.with_suffix(".part.wav")
    with sf.SoundFile(str(tmp), "w", samplerate=SR, channels=2, subtype="PCM_16") as f:
        for a in range(0, n, block):
            m = min(block, n - a)
            t = (a + np.arange(m)) / SR
            x = 0.05 * rng.standard_normal((m, 2))
            x[:, 0] += 0.25 * np.sin(2 * np.pi * 440.0 * t)
            x[:, 1] += 0.25 * np.sin(2 * np.pi * 1000.0 * t)
            on = (t // 300).astype(int) % 2 == 0  # 3 kHz in minutes 0-5, 10-15, ...
            x[on] += (0.15 * np.sin(2 * np.pi * 3000.0 * t[on]))[:, None]
            for c in [c - a for c in clicks if a <= c < a + m - click_len]:
                x[c:c + click_len] += 0.6
            f.write(np.clip(x, -1.0, 1.0).astype(np.float32))
    tmp.replace(path)
    return path


def make_mp3(wav: Path, mp3: Path) -> str | None:
    """Encode ``wav`` to a 192 kb/s MP3; returns the encoder's name, or None when no encoder is available."""
    tmp = mp3.with_suffix(".part.mp3")
    if shutil.which("ffmpeg"):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(wav), "-b:a", "192k", "-f", "mp3", str(tmp)],
                       check=True)
        tmp.replace(mp3)
        return "ffmpeg"
    for name, encode in (("lameenc", _mp3_lameenc), ("PyAV", _mp3_pyav)):
        try:
            encode(wav, tmp)
        except ImportError:
            continue
        except Exception as e:  # e.g. a PyAV built without an MP3 encoder: try the next one
            print(f"MP3 with {name} failed: {e}", flush=True)
            tmp.unlink(missing_ok=True)
            continue
        tmp.replace(mp3)
        return name
    return None


def _mp3_lameenc(wav: Path, out: Path) -> None:
    import lameenc
    import soundfile as sf

    enc = lameenc.Encoder()
    enc.set_bit_rate(192)
    enc.set_in_sample_rate(SR)
    enc.set_channels(2)
    enc.set_quality(2)
    with sf.SoundFile(str(wav)) as src, open(out, "wb") as dst:
        for block in src.blocks(blocksize=SR * 10, dtype="int16"):
            dst.write(enc.encode(block.tobytes()))
        dst.write(enc.flush())


def _mp3_pyav(wav: Path, out: Path) -> None:
    import av
    import soundfile as sf

    with av.open(str(out), "w", format="mp3") as container, sf.SoundFile(str(wav)) as src:
        stream = container.add_stream("libmp3lame", rate=SR, layout="stereo")
        stream.bit_rate = 192_000
        for block in src.blocks(blocksize=SR * 10, dtype="int16"):
            frame = av.AudioFrame.from_ndarray(block.reshape(1, -1), format="s16", layout="stereo")
            frame.sample_rate = SR
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)


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
                print("no MP3 encoder (ffmpeg, lameenc or PyAV): skipping the MP3 rows", flush=True)
                return files
            print(f"encoded {mp3.name} with {encoder} in {time.perf_counter() - t:.0f} s", flush=True)
        files["mp3"] = mp3
    return files


# ---------------------------------------------------------------------------------------------- the screen

class VirtualScreen:
    """A private Xvfb display; ``grab()`` returns the raw XWD bytes of the whole screen."""

    def __init__(self, size: tuple[int, int] = SCREEN):
        self.number = next(n for n in range(90, 200) if not Path(f"/tmp/.X11-unix/X{n}").exists()
                           and not Path(f"/tmp/.X{n}-lock").exists())
        self.name = f":{self.number}"
        self.proc = subprocess.Popen(["Xvfb", self.name, "-screen", "0", f"{size[0]}x{size[1]}x24", "-nolisten",
                                      "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while not Path(f"/tmp/.X11-unix/X{self.number}").exists():
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"Xvfb {self.name} did not start")
            time.sleep(0.05)

    def grab(self) -> bytes:
        done = subprocess.run(["xwd", "-root", "-silent", "-display", self.name], capture_output=True)
        if done.returncode != 0:
            raise RuntimeError(f"cannot grab display {self.name} (Xvfb running: {self.alive()}): "
                               f"{done.stderr.decode(errors='replace').strip()}")
        return done.stdout

    def alive(self) -> bool:
        return self.proc.poll() is None and Path(f"/tmp/.X11-unix/X{self.number}").exists()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)


def xwd_pixels(data: bytes):
    """The H x W x (3 or 4) uint8 pixels of a 24- or 32-bit-per-pixel XWD image of a TrueColor screen."""
    import numpy as np

    fields = struct.unpack(">25I", data[:100])
    header_size, width, height = fields[0], fields[4], fields[5]
    bpp, bytes_per_line, ncolors = fields[11], fields[12], fields[19]
    if bpp not in (24, 32):
        raise ValueError(f"XWD with {bpp} bits per pixel; only 24 and 32 are read")
    rows = np.frombuffer(data, dtype=np.uint8, count=bytes_per_line * height, offset=header_size + 12 * ncolors)
    return rows.reshape(height, bytes_per_line)[:, :width * bpp // 8].reshape(height, width, bpp // 8)


def xwd_to_rgb(data: bytes):
    """An H x W x 3 uint8 RGB array from an XWD grab."""
    lsb_first = struct.unpack(">I", data[28:32])[0] == 0  # byte_order: B G R (x) in memory, else (x) R G B
    px = xwd_pixels(data)
    return px[..., [2, 1, 0]] if lsb_first else px[..., -3:]


def write_png(path: Path, rgb) -> None:
    """A minimal RGB PNG writer (no image library needed)."""
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body) & 0xFFFFFFFF)

    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


# ---------------------------------------------------------------------------------------------- memory

def tree_rss_bytes(root_pid: int) -> int:
    """Sum of VmRSS over ``root_pid`` and all its descendants (read from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                status = f.read()
        except OSError:
            continue
        ppid = kb = 0
        for line in status.splitlines():
            if line.startswith("PPid:"):
                ppid = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                kb = int(line.split()[1])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = kb
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0) * 1024
        todo.extend(children.get(pid, []))
    return total


class MemorySampler(threading.Thread):
    """Samples the process tree's RSS every 50 ms until stopped; ``peak`` is the highest sum seen."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.pid))
            self._done.wait(0.05)

    def stop(self) -> int:
        self._done.set()
        self.join()
        return self.peak


# ---------------------------------------------------------------------------------------------- watching

class Watch:
    """What one watch saw, in seconds from its ``t0``: the first change, the first frame showing content, the last
    change, and the frames at those two moments."""

    def __init__(self):
        self.first_change = self.first_content = self.last_change = None
        self.content_frame = self.last_frame = b""


def content_fraction(empty: bytes, frame: bytes) -> float:
    """Share of the screen's pixels that changed from ``empty`` to a colourful value in ``frame``.

    Both apps draw audio in colour (waveforms, spectrogram colour maps) and their chrome, text and axes in greys,
    so counting only colourful changes keeps a status message or re-laid-out axes from reading as content."""
    import numpy as np

    before, after = xwd_pixels(empty), xwd_pixels(frame)
    if before.shape != after.shape:
        return 1.0
    changed = (before != after).any(axis=2)
    rgb = xwd_to_rgb(frame)
    chroma = rgb.max(axis=2).astype(np.int16) - rgb.min(axis=2)
    return float(np.count_nonzero(changed & (chroma >= CHROMA_MIN))) / changed.size


def wait_still(screen: VirtualScreen, quiet: float, timeout: float, t0: float, baseline: bytes | None = None,
               on_tick=None, done=None) -> Watch:
    """Grab frames until none has changed for ``quiet`` s (and, with ``baseline``, only after a first change).

    A change is dated by the start of the grab that saw it, so times are late by at most ``GRAB_S``.
    "Content" is the first frame where at least ``CONTENT_FRACTION`` of the screen turned colourful since
    ``baseline`` (see ``content_fraction``): a status message or a progress text alone does not count.
    ``on_tick()`` runs after every grab; with ``done``, a still screen only ends the watch once ``done()`` is true
    (an app's own word that its work is over keeps a still intermediate screen from passing as settled)."""
    w = Watch()
    prev = baseline if baseline is not None else screen.grab()
    last_change_wall = time.perf_counter()
    while True:
        t_grab = time.perf_counter()
        frame = screen.grab()
        if frame != prev:
            w.last_change = t_grab - t0
            w.first_change = w.last_change if w.first_change is None else w.first_change
            if w.first_content is None and baseline is not None \
                    and content_fraction(baseline, frame) >= CONTENT_FRACTION:
                w.first_content, w.content_frame = w.last_change, frame
            last_change_wall = t_grab
            prev = frame
        if on_tick is not None:
            on_tick()
        waiting_for_first = baseline is not None and w.first_change is None
        if not waiting_for_first and time.perf_counter() - last_change_wall >= quiet and (done is None or done()):
            w.last_frame = prev
            return w
        if time.perf_counter() - t0 > timeout:
            raise TimeoutError(f"screen still changing (or never changed) after {timeout:.0f} s")
        time.sleep(FRAME_INTERVAL_S)


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
