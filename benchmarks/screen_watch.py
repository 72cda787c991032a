"""Watching a virtual screen for benchmarks: a private Xvfb display grabbed with xwd, the moments a screen first
changes, first shows content and settles, and the RSS of a process tree. Used by bench_peer_sv.py."""

from __future__ import annotations

import os
import struct
import subprocess
import threading
import time
import zlib
from pathlib import Path

SCREEN = (1600, 1000)
FRAME_INTERVAL_S = 0.03  # pause between screen grabs (each grab itself takes ~50 ms)
GRAB_S = 0.08  # so a change is seen within ~80 ms
# A frame "shows content" when >= 5% of the screen turned colourful since the empty window: SV's empty new pane
# (coloured zero lines, ~0.3%) or our partial overview strip alone (< 1%) stay below it, a drawn waveform or
# spectrogram is well above. It cannot tell a real partial image from a flat colour fill: look at the PNG.
CONTENT_FRACTION = 0.05
CHROMA_MIN = 48  # max(R, G, B) - min(R, G, B) of a colourful pixel (greys are below ~10)


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
