"""Live capture benchmark through a PulseAudio null sink (virtual microphone).

Run with the virtual audio device up::

    source scripts/virtual_audio.sh && start_virtual_audio
    .venv/bin/python benchmarks/bench_live.py --seconds 60        # the issue asks --seconds 600

Measures, with a 60 Hz drain loop like the live panel's timer (times in ms, median of several events):
- capture-to-display: a click played into the sink (its DAC time from the playback stream) until the drain
  loop holds it; also the part inside the app (capture block's ADC time until drained);
- live pitch: onset of a sung-like tone burst until the first voiced f0 frame is back in the drain loop;
- live separation (accompaniment stem, Spleeter): a click in until the click leaves for the output device
  (its DAC time on a second null sink, so the microphone does not hear it), the compute per block against the
  block's duration (> 1: it cannot keep up), output underruns and what the player skipped to cut a backlog;
- dropouts (input overflows + drain overruns) and missing frames over a long capture at 48 kHz / 512 frames,
  and the CPU load (process CPU time / wall time) of capture + drain + live spectrogram.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from workbench.live.session import LiveSession  # noqa: E402

SR, BLOCK = 48000, 512


class ClickPlayer:
    """Plays ``signal`` once; remembers the DAC time (s, stream clock = time.time()) of chosen sample indices."""

    def __init__(self, signal, marks, sr=SR):
        import sounddevice as sd

        self.signal, self.marks, self.pos = signal.astype(np.float32), list(marks), 0
        self.dac = {}
        self.stream = sd.OutputStream(samplerate=sr, channels=1, blocksize=BLOCK, latency="low", callback=self._cb)
        self.stream.start()

    def _cb(self, out, frames, t, status):
        chunk = self.signal[self.pos:self.pos + frames]
        out[:len(chunk), 0] = chunk
        out[len(chunk):] = 0
        for m in self.marks:
            if self.pos <= m < self.pos + frames:
                self.dac[m] = t.outputBufferDacTime + (m - self.pos) / SR
        self.pos += frames

    def close(self):
        self.stream.close()


def drain(session, seconds, on_update=None):
    from workbench.core.collector import collect_if_due

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        u = session.poll()
        if on_update:
            on_update(u, time.time())
        collect_if_due()  # as the app's GUI thread does on its timer (main() hands collection to this thread)
        time.sleep(1 / 60)


def started_session(**kw):
    s = LiveSession(sample_rate=SR, blocksize=BLOCK, **kw)
    s.start()
    end = time.monotonic() + 8
    while s.capture.callbacks < 4 and time.monotonic() < end:
        s.poll()
        time.sleep(1 / 60)
    drain(s, 0.5)
    return s


def click_train(n, spacing_s=0.5, lead_s=0.3):
    sig = np.zeros(int((lead_s + n * spacing_s + 0.5) * SR), np.float32)
    marks = [int((lead_s + i * spacing_s) * SR) for i in range(n)]
    for m in marks:
        sig[m:m + 24] = 0.8
    return sig, marks


def bench_display(n=12):
    s = started_session()
    sig, marks = click_train(n)
    seen, inner = [], []
    state = {"armed_until": 0.0}

    def on_update(u, now):
        x = u.samples
        if not len(x) or u.start_time < state["armed_until"]:
            return
        hits = np.flatnonzero(np.abs(x) > 0.4)
        if len(hits):
            t_sample = u.start_time + hits[0] / SR  # capture clock (s since frame 0)
            seen.append(now)
            # Inside the app: that sample's ADC time, from the latest block's (its first sample's) ADC time.
            newest_block = (s.capture.ring.written - s.capture.blocksize) / SR
            inner.append(now - (s.capture.last_adc_time + t_sample - newest_block))
            state["armed_until"] = t_sample + 0.25

    player = ClickPlayer(sig, marks)
    drain(s, len(sig) / SR + 0.5, on_update)
    player.close()
    s.stop()
    dac = [player.dac[m] for m in marks if m in player.dac]
    k = min(len(dac), len(seen))
    total = np.array(seen[:k]) - np.array(dac[:k])
    return np.median(total) * 1000, np.median(inner) * 1000, k


def bench_pitch(n=6):
    from workbench.live.live_plugins import hop_seconds, make_processor

    s = started_session()
    driver = s.add_driver("pitch", make_processor("pitch"), hop_seconds("pitch"))
    t = np.arange(int(0.4 * SR)) / SR
    burst = sum(np.sin(2 * np.pi * k * 220 * t) / k for k in range(1, 7)).astype(np.float32)
    burst = 0.4 * burst / np.abs(burst).max()
    sig = np.zeros(int((0.3 + n * 1.0 + 0.5) * SR), np.float32)
    marks = [int((0.3 + i * 1.0) * SR) for i in range(n)]
    for m in marks:
        sig[m:m + len(burst)] = burst
    arrivals, state = [], {"armed_until": -1.0}

    def on_update(u, now):
        for _, c in u.layers:
            v = c.times[c.voiced & (np.abs(c.values - 220) < 10)] if c.voiced is not None else []
            if len(v) and v[0] > state["armed_until"]:
                arrivals.append(now)
                state["armed_until"] = v[0] + 0.6

    player = ClickPlayer(sig, marks)
    drain(s, len(sig) / SR + 0.5, on_update)
    player.close()
    s.stop()
    dac = [player.dac[m] for m in marks if m in player.dac]
    k = min(len(dac), len(arrivals))
    return np.median(np.array(arrivals[:k]) - np.array(dac[:k])) * 1000, np.median(driver.latencies) * 1000, k


def bench_separation(n=8):
    from workbench.live.live_plugins import hop_seconds, make_processor
    from workbench.live.monitor import OutputPlayer

    RATE = 44100  # Spleeter's rate, the accompaniment monitor's output rate

    mod = subprocess.run(["pactl", "load-module", "module-null-sink", "sink_name=bench_out"], capture_output=True,
                         text=True, check=True).stdout.strip()
    os.environ["PULSE_SINK"] = "bench_out"
    try:
        out = OutputPlayer(sample_rate=RATE)
    finally:
        os.environ.pop("PULSE_SINK", None)
    out_dac = []

    def on_block(first, dac):
        # The click is the first loud sample written into the output ring after each input click.
        ring = out.ring
        block = ring._data[first % ring.capacity:first % ring.capacity + BLOCK, 0]
        hits = np.flatnonzero(np.abs(block) > 0.2)
        if len(hits) and (not out_dac or dac - out_dac[-1] > 0.25):
            out_dac.append(dac + hits[0] / RATE)

    out.on_block = on_block
    s = started_session()
    sep = make_processor("karaoke")  # the separation plugin's accompaniment monitor
    sep.on_output = lambda block, t0: out.write(block)
    s.add_driver("separation", sep, hop_seconds("karaoke"))
    sig, marks = click_train(n, spacing_s=1.0, lead_s=1.0)
    player = ClickPlayer(sig, marks)
    drain(s, len(sig) / SR + 2.0)
    player.close()
    s.stop()
    out.close()
    subprocess.run(["pactl", "unload-module", mod], capture_output=True)
    dac = [player.dac[m] for m in marks if m in player.dac]
    lat = [min((o - d for o in out_dac if o > d), default=np.nan) for d in dac]
    inner = getattr(sep, "processor", sep)  # a MonitorAdapter wraps processors that return their audio
    block_ms = 1000 * getattr(inner, "block", 0) / RATE
    return (np.nanmedian(lat) * 1000, np.median(sep.compute_seconds) * 1000, int(np.sum(np.isfinite(lat))),
            out.underruns, block_ms, 1000 * out.skipped / RATE, 1000 * out.margin_seconds)


def bench_long(seconds):
    s = started_session()
    frames0, t0, cpu0 = s.capture.ring.written, time.monotonic(), time.process_time()
    drain(s, seconds)
    wall, cpu = time.monotonic() - t0, time.process_time() - cpu0
    got = s.capture.ring.written - frames0
    dropouts = s.dropouts
    s.stop()
    return dropouts, got / (wall * SR), cpu / wall


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0, help="length of the dropout / CPU capture (s)")
    ap.add_argument("--skip-models", action="store_true", help="only capture, display and dropouts")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)  # live inference shares the machine with capture and drawing
    from workbench.core import collector

    collector.take_over()  # garbage is collected in the drain loop, never in PortAudio's thread (as in the app)
    rows = []
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    disp, inner, k = bench_display()
    rows.append(("capture-to-display latency (click, sink->drain)", "< 30 ms", f"{disp:.1f} ms", f"{disp / 30:.2f}", k))
    rows.append(("  of which inside the app (ADC->drain)", "< 30 ms", f"{inner:.1f} ms", f"{inner / 30:.2f}", k))
    if not args.skip_models:
        total, proc, k = bench_pitch()
        rows.append(("live pitch latency (burst onset->f0 in drain)", "< 60 ms", f"{total:.1f} ms", f"{total / 60:.2f}", k))
        rows.append(("  of which pitch processing per hop", "-", f"{proc:.1f} ms", "-", k))
        lat, comp, k, under, block_ms, skipped_ms, margin_ms = bench_separation()
        rows.append(("live separation capture-to-output (click)", "< 250 ms", f"{lat:.0f} ms", f"{lat / 250:.2f}", k))
        rows.append((f"  Spleeter compute per {block_ms:.0f} ms block", f"< {block_ms:.0f} ms", f"{comp:.0f} ms",
                     f"{comp / block_ms:.2f}", k))
        rows.append(("  output underruns", "0", str(under), "-", 1))
        rows.append(("  output skipped to cut a backlog", "-", f"{skipped_ms:.0f} ms", "-", 1))
        rows.append(("  output margin at the end (30 ms + 10 ms an underrun)", "-", f"{margin_ms:.0f} ms", "-", 1))
    drops, ratio, load = bench_long(args.seconds)
    rows.append((f"dropouts over {args.seconds:.0f} s at 48 kHz / 512", "0", str(drops), "-", 1))
    rows.append(("  frames captured / wall-clock frames", "1.000", f"{ratio:.4f}", "-", 1))
    rows.append(("CPU load of capture + drain + spectrogram", "-", f"{100 * load:.1f} %", "-", 1))
    w = max(len(r[0]) for r in rows)
    print(f"{'what':<{w}}  {'goal':>9}  {'measured':>10}  {'ratio':>6}  n")
    for what, goal, got, ratio_s, n in rows:
        print(f"{what:<{w}}  {goal:>9}  {got:>10}  {ratio_s:>6}  {n}")
    print(f"load average after: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (a shared CPU inflates the times)")


if __name__ == "__main__":
    main()
