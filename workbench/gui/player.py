"""Qt-free audio player: several time-aligned sources, instant A/B switching, loop, mute/solo, loudness matching.

The PortAudio callback (sounddevice ``OutputStream``) runs on its own thread and only reads the current
position and the source arrays; the GUI thread changes position, active source, loop and gains through
small atomic assignments under a lock that the callback holds for microseconds. Positions are in samples
of the player's sample rate (the original audio's rate); times in the public API are in seconds.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

import numpy as np

log = logging.getLogger(__name__)


@dataclass
class PlaybackSource:
    """One playable signal: float32 (channels, samples) at the player's rate, placed ``offset`` s from the start."""

    name: str
    samples: np.ndarray
    offset: float = 0.0
    gain: float = 1.0  # linear; loudness matching sets it
    muted: bool = False
    solo: bool = False


def rms_level(samples: np.ndarray) -> float:
    """Root-mean-square of all channels (linear)."""
    x = np.asarray(samples, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


def k_weighted_level(samples: np.ndarray, sample_rate: int) -> float:
    """Mean-square power after the ITU-R BS.1770 K-weighting filters (a LUFS-like loudness, linear power)."""
    from scipy.signal import lfilter

    # Stage 1: high shelf (+4 dB above ~1.7 kHz); stage 2: high-pass at ~38 Hz (coefficients as in libebur128).
    f0, g_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = np.tan(np.pi * f0 / sample_rate)
    vh = 10 ** (g_db / 20)
    vb = vh ** 0.4996667741545416
    a0 = 1 + k / q + k * k
    b1 = [(vh + vb * k / q + k * k) / a0, 2 * (k * k - vh) / a0, (vh - vb * k / q + k * k) / a0]
    a1 = [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = np.tan(np.pi * f0 / sample_rate)
    a0 = 1 + k / q + k * k
    b2, a2 = [1.0, -2.0, 1.0], [1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0]
    x = np.atleast_2d(np.asarray(samples, dtype=np.float64))
    y = lfilter(b2, a2, lfilter(b1, a1, x, axis=-1), axis=-1)
    return float(np.mean(np.sum(y * y, axis=0) / max(1, x.shape[0]))) if y.size else 0.0


def matching_gain(reference: np.ndarray, other: np.ndarray, sample_rate: int, method: str = "rms") -> float:
    """Linear gain that brings ``other`` to the loudness of ``reference`` ("rms" or "lufs"); capped at +-24 dB."""
    if method == "lufs":
        ref, oth = np.sqrt(k_weighted_level(reference, sample_rate)), np.sqrt(k_weighted_level(other, sample_rate))
    else:
        ref, oth = rms_level(reference), rms_level(other)
    if oth <= 1e-9 or ref <= 1e-9:
        return 1.0
    return float(np.clip(ref / oth, 10 ** (-24 / 20), 10 ** (24 / 20)))


def output_devices() -> tuple[list[tuple[int, str]], str]:
    """[(index, name)] of devices that can play, and a problem text ('' when PortAudio answered)."""
    try:
        import sounddevice as sd

        devs = sd.query_devices()
    except Exception as exc:  # PortAudio missing or broken
        return [], f"no audio output available: {exc}"
    return [(i, d["name"]) for i, d in enumerate(devs) if d["max_output_channels"] > 0], ""


class Player:
    """Plays time-aligned sources through one output stream; switch the active one without a gap.

    Thread rules: every public method is for the controlling (GUI) thread; ``position`` may be read from
    any thread. ``_callback`` runs on the PortAudio thread.
    """

    def __init__(self, sample_rate: int, channels: int = 2, device: int | str | None = None, blocksize: int = 512):
        self.sample_rate = int(sample_rate)
        self.channels = channels
        self.device = device
        self.blocksize = blocksize
        self.sources: dict[str, PlaybackSource] = {}
        self.active: str = ""
        self.loop: tuple[float, float] | None = None
        self.loudness_method: str = "off"  # "off" | "rms" | "lufs"
        self._pos = 0  # samples
        self._end = 0
        self._playing = False
        self._stream = None
        self._lock = threading.Lock()
        self.error: str = ""  # last stream problem, for the status bar
        self.band_filter = None  # a workbench.core.spectrum.BandFilter: band-limited listening
        self._scrub_end: int | None = None  # while scrubbing: play a short grain up to this sample, then silence
        self.speed = 1.0  # playback speed (0.25-2), pitch kept by a real-time time-stretcher
        self._stretcher = None

    # ----- sources -----------------------------------------------------------------------------------
    def add_source(self, name: str, samples: np.ndarray, offset: float = 0.0) -> None:
        """Add or replace a source (float32 (channels, samples) at the player's rate). The first becomes active."""
        arr = np.ascontiguousarray(np.atleast_2d(samples), dtype=np.float32)
        with self._lock:
            self.sources[name] = PlaybackSource(name, arr, offset)
            if not self.active:
                self.active = name
            self._end = max(int(round(s.offset * self.sample_rate)) + s.samples.shape[1] for s in self.sources.values())
        self._update_gains()

    def remove_source(self, name: str) -> None:
        with self._lock:
            self.sources.pop(name, None)
            if self.active == name:
                self.active = next(iter(self.sources), "")
            self._end = max((int(round(s.offset * self.sample_rate)) + s.samples.shape[1]
                             for s in self.sources.values()), default=0)

    def set_active(self, name: str) -> None:
        """A/B: make ``name`` the source heard; the position does not change."""
        if name not in self.sources:
            raise KeyError(name)
        self.active = name

    def set_muted(self, name: str, muted: bool) -> None:
        self.sources[name].muted = bool(muted)

    def set_solo(self, name: str, solo: bool) -> None:
        self.sources[name].solo = bool(solo)

    def set_loudness_matching(self, method: str) -> None:
        """"off", "rms" or "lufs": gains that bring every source to the first source's loudness."""
        self.loudness_method = method if method in ("rms", "lufs") else "off"
        self._update_gains()

    def _update_gains(self) -> None:
        names = list(self.sources)
        if not names:
            return
        ref = self.sources[names[0]].samples
        for s in self.sources.values():
            s.gain = 1.0 if self.loudness_method == "off" or s.samples is ref else matching_gain(
                ref, s.samples, self.sample_rate, self.loudness_method)

    # ----- transport ---------------------------------------------------------------------------------
    @property
    def duration(self) -> float:
        return self._end / self.sample_rate

    @property
    def position(self) -> float:
        """Current play position in seconds."""
        return self._pos / self.sample_rate

    @property
    def playing(self) -> bool:
        return self._playing

    def seek(self, seconds: float) -> None:
        self._pos = int(np.clip(round(seconds * self.sample_rate), 0, max(0, self._end)))
        bf = self.band_filter
        if bf is not None:
            bf.reset()  # the filter's memory belongs to the old position
        st = self._stretcher
        if st is not None:
            st.reset()

    def set_speed(self, speed: float) -> None:
        """Play at ``speed`` (0.25 to 2) times real time with the pitch kept (real-time WSOLA, audiotsm)."""
        speed = float(np.clip(speed, 0.25, 2.0))
        if abs(speed - 1.0) < 1e-6:
            self.speed, self._stretcher = 1.0, None
            return
        if self._stretcher is None:
            from workbench.core.time_stretch import StreamStretcher

            self._stretcher = StreamStretcher(self.channels, speed)
        else:
            self._stretcher.set_speed(speed)
        self.speed = speed

    def set_band(self, lo_hz: float | None, hi_hz: float | None = None) -> None:
        """Hear only ``lo_hz``..``hi_hz`` (a band-pass on the played blocks); ``None`` turns it off."""
        if lo_hz is None or hi_hz is None:
            self.band_filter = None
            return
        from workbench.core.spectrum import BandFilter

        self.band_filter = BandFilter(lo_hz, hi_hz, self.sample_rate)

    def scrub(self, seconds: float, grain: float = 0.09) -> bool:
        """Play a short grain from ``seconds`` (dragging the playhead); the stream stays open between grains."""
        if self._playing and self._scrub_end is None:
            self.seek(seconds)  # playing normally: a drag just moves the position
            return True
        self.seek(seconds)
        self._scrub_end = self._pos + int(grain * self.sample_rate)
        return self.play(scrubbing=True)

    def end_scrub(self) -> None:
        if self._scrub_end is not None:
            self._scrub_end = None
            self.pause()

    def set_loop(self, start: float | None, end: float | None = None) -> None:
        """Loop between ``start`` and ``end`` seconds; ``None`` turns looping off."""
        if start is None or end is None or end - start < 0.01:
            self.loop = None
        else:
            self.loop = (float(start), float(end))

    def play(self, scrubbing: bool = False) -> bool:
        """Start (or resume) from the current position. False (with ``error`` set) when no output works."""
        if not scrubbing:
            self._scrub_end = None
        if self._playing:
            return True
        if self._pos >= self._end:
            self._pos = int(self.loop[0] * self.sample_rate) if self.loop else 0
        try:
            import sounddevice as sd

            if self._stream is None:
                self._stream = sd.OutputStream(
                    samplerate=self.sample_rate, channels=self.channels, dtype="float32", device=self.device,
                    blocksize=self.blocksize, callback=self._callback, finished_callback=self._on_finished)
            self._playing = True
            self._stream.start()
        except Exception as exc:
            self._playing = False
            self.error = f"Cannot play: {exc}"
            log.warning(self.error)
            self._close_stream()
            return False
        self.error = ""
        return True

    def pause(self) -> None:
        self._playing = False
        if self._stream is not None:
            try:
                self._stream.stop()
            except Exception:  # stopping a dead stream is harmless
                pass

    def stop(self) -> None:
        """Pause and go back to the start (or to the loop start)."""
        self.pause()
        self.seek(self.loop[0] if self.loop else 0.0)

    def set_device(self, device: int | str | None) -> None:
        """Choose the output device; takes effect at once (the stream is re-opened when playing)."""
        was_playing = self._playing
        self.pause()
        self._close_stream()
        self.device = device
        if was_playing:
            self.play()

    def close(self) -> None:
        self.pause()
        self._close_stream()

    def _close_stream(self) -> None:
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception:
                pass
            self._stream = None

    def _on_finished(self) -> None:
        self._playing = False

    # ----- audio thread ------------------------------------------------------------------------------
    def render(self, start: int, frames: int) -> np.ndarray:
        """The mixed output (frames, channels) for samples ``start``..``start+frames`` (used by the callback)."""
        out = np.zeros((frames, self.channels), dtype=np.float32)
        with self._lock:
            sources = list(self.sources.values())
            active = self.active
        if any(s.solo for s in sources):  # solo wins over the A/B choice; a muted solo stays silent
            heard = [s for s in sources if s.solo and not s.muted]
        else:
            heard = [s for s in sources if s.name == active and not s.muted]
        for s in heard:
            off = int(round(s.offset * self.sample_rate))
            a, b = start - off, start - off + frames
            lo, hi = max(a, 0), min(b, s.samples.shape[1])
            if hi <= lo:
                continue
            block = s.samples[:, lo:hi].T * s.gain
            if block.shape[1] == 1:
                block = np.repeat(block, self.channels, axis=1)
            elif block.shape[1] != self.channels:
                block = block.mean(axis=1, keepdims=True).repeat(self.channels, axis=1)
            out[lo - a:hi - a] += block
        return out

    def _callback(self, outdata, frames, time_info, status) -> None:
        if not self._playing:
            outdata.fill(0)
            return
        outdata[:] = self.pull(frames)

    def pull(self, frames: int) -> np.ndarray:
        """The next ``frames`` output frames (frames, channels), advancing the position: loop, band filter and
        scrub grains applied. The audio callback's whole job; tests call it to check what would be heard."""
        scrub_end = self._scrub_end
        if scrub_end is not None and self._pos >= scrub_end:
            return np.zeros((frames, self.channels), dtype=np.float32)
        st = self._stretcher
        if st is not None and scrub_end is None:
            chunk = self._stretched(st, frames)
        else:
            chunk = self._advance(frames)
        bf = self.band_filter
        if bf is not None:
            chunk = bf.process(chunk)
        pos = self._pos
        if scrub_end is not None and pos > scrub_end:  # the grain ends inside this block: fade out, no click
            keep = max(0, frames - (pos - scrub_end))
            chunk[keep:] = 0
            if keep:
                chunk[:keep] *= np.linspace(1.0, 0.0, keep, dtype=np.float32)[:, None]
        np.clip(chunk, -1.0, 1.0, out=chunk)
        return chunk

    def _stretched(self, st, frames: int) -> np.ndarray:
        """``frames`` of time-stretched output: source blocks (loop and A/B as usual) go in until enough comes out."""
        while st.available() < frames and self._has_more_input():
            st.process(np.ascontiguousarray(self._advance(st.block).T))
        out = np.zeros((frames, self.channels), dtype=np.float32)
        got = st.retrieve(frames)
        if got.size:
            out[:got.shape[1]] = got.T
        return out

    def _has_more_input(self) -> bool:
        return self._pos < self._end or self.loop is not None

    def _advance(self, frames: int) -> np.ndarray:
        """The next ``frames`` source frames (loop applied), moving the position."""
        pos = self._pos
        loop = self.loop
        if loop:
            ls, le = int(loop[0] * self.sample_rate), int(loop[1] * self.sample_rate)
            if pos >= le or pos < ls:
                pos = ls
            n1 = min(frames, le - pos)
            chunk = self.render(pos, n1)
            if n1 < frames:  # wrap around inside this block
                chunk = np.concatenate([chunk, self.render(ls, frames - n1)])
                pos = ls + frames - n1
            else:
                pos += frames
        else:
            chunk = self.render(pos, frames)
            pos += frames
            if pos >= self._end:
                pos = self._end
                self._playing = False
        self._pos = pos
        return chunk
