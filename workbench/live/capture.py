"""Microphone capture: a sounddevice InputStream whose callback only copies into a :class:`RingBuffer`.

Device faults become :class:`CaptureError` messages a user can act on: no input device, device busy,
sample rate not supported, and a device that stops delivering audio mid-capture (removed, unplugged, or the
sound server moved it away). What was captured before a fault stays in the ring buffer / recorder.

Threading: the PortAudio callback runs in PortAudio's thread and does only a copy plus counter updates;
``start``/``stop``/``check`` are called from the owner's thread (GUI timer or a driver thread).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from workbench.core.errors import WorkbenchError

from .ring_buffer import RingBuffer

STALL_SECONDS = 1.0  # no callback for this long after audio started flowing: the device is gone
START_SECONDS = 6.0  # no first callback within this long: the device delivers nothing


class CaptureError(WorkbenchError):
    """The input device cannot be used (or stopped working); the message says why and what to try."""


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    channels: int
    default_samplerate: float
    is_default: bool


def _sd():
    try:
        import sounddevice as sd
    except OSError as exc:  # PortAudio shared library missing
        raise CaptureError(f"Audio capture is unavailable: PortAudio is not installed ({exc}).") from exc
    return sd


def input_devices() -> list[InputDevice]:
    """Every device with input channels, the default input first."""
    sd = _sd()
    try:
        devs = sd.query_devices()
        default_in = sd.default.device[0]
    except Exception as exc:
        raise CaptureError(f"Audio input devices could not be listed: {exc}") from exc
    out = [InputDevice(i, d["name"], d["max_input_channels"], d["default_samplerate"], i == default_in)
           for i, d in enumerate(devs) if d["max_input_channels"] > 0]
    return sorted(out, key=lambda d: not d.is_default)


def resolve_input_device(device: int | str | None) -> InputDevice:
    """The input device named or numbered ``device`` (None: the default input; else 'pulse' when present)."""
    devices = input_devices()
    if not devices:
        raise CaptureError("No audio input device was found. Connect a microphone (or start the sound server) "
                           "and try again.")
    if device is None:
        for d in devices:
            if d.is_default:
                return d
        for d in devices:  # PortAudio reports no default on some set-ups
            if d.name in ("pulse", "default"):
                return d
        return devices[0]
    for d in devices:
        if d.index == device or d.name == device:
            return d
    names = ", ".join(f"{d.index}: {d.name}" for d in devices)
    raise CaptureError(f"Input device '{device}' was not found. Available inputs: {names}")


class CaptureStream:
    """Captures ``channels`` channels at ``sample_rate`` Hz in blocks of ``blocksize`` frames into ``ring``.

    ``overflows`` counts the callback blocks PortAudio flagged as input overflow (samples lost before we saw
    them); ``fault`` holds the message of a failure noticed by :meth:`check`, after which the stream is closed.
    """

    def __init__(self, device: int | str | None = None, sample_rate: int = 48000, channels: int = 1,
                 blocksize: int = 512, ring_seconds: float = 20.0, latency: str | float = "low"):
        self.device = resolve_input_device(device)
        self.sample_rate = int(sample_rate)
        self.channels = max(1, min(int(channels), self.device.channels))
        self.blocksize = int(blocksize)
        self.latency = latency
        self.ring = RingBuffer(int(ring_seconds * self.sample_rate), self.channels)
        self.overflows = 0
        self.callbacks = 0
        self.last_callback = 0.0  # time.monotonic() of the latest callback
        self.last_adc_time = 0.0  # PortAudio's capture time of the latest block (stream clock, s)
        self.started_at = 0.0
        self.fault = ""
        self.new_audio = threading.Event()  # set by the callback after each block: live drivers wake on it
        self._stream = None
        self._check_settings()

    def _check_settings(self) -> None:
        sd = _sd()
        try:
            sd.check_input_settings(device=self.device.index, channels=self.channels, dtype="float32",
                                    samplerate=self.sample_rate)
        except Exception as exc:
            msg = str(exc)
            if "sample rate" in msg.lower():
                raise CaptureError(
                    f"The input device '{self.device.name}' does not support {self.sample_rate} Hz. "
                    f"Choose another sample rate (its default is {self.device.default_samplerate:.0f} Hz)."
                ) from exc
            raise CaptureError(f"The input device '{self.device.name}' cannot capture with these settings: {msg}") from exc

    # -- the audio thread -----------------------------------------------------------------------------------
    def _callback(self, indata, frames, time_info, status) -> None:
        if status.input_overflow:
            self.overflows += 1
        self.ring.write(indata)
        self.callbacks += 1
        self.last_adc_time = time_info.inputBufferAdcTime
        self.last_callback = time.monotonic()
        self.new_audio.set()

    # -- the owner's thread ---------------------------------------------------------------------------------
    def start(self) -> None:
        """Open and start the stream; raises :class:`CaptureError` when the device is busy or refuses."""
        sd = _sd()
        self.fault = ""
        try:
            self._stream = sd.InputStream(
                device=self.device.index, samplerate=self.sample_rate, channels=self.channels, dtype="float32",
                blocksize=self.blocksize, latency=self.latency, callback=self._callback,
            )
            self._stream.start()
        except Exception as exc:
            self._stream = None
            msg = str(exc)
            if "busy" in msg.lower() or "unanticipated host error" in msg.lower():
                raise CaptureError(f"The input device '{self.device.name}' is busy (another program is using "
                                   f"it) or unavailable: {msg}") from exc
            if "sample rate" in msg.lower():
                raise CaptureError(f"The input device '{self.device.name}' does not support "
                                   f"{self.sample_rate} Hz.") from exc
            raise CaptureError(f"Could not start capturing from '{self.device.name}': {msg}") from exc
        self.started_at = time.monotonic()

    @property
    def running(self) -> bool:
        return self._stream is not None

    @property
    def stream_time(self) -> float:
        """The stream's clock now (s, same clock as ``last_adc_time``); 0 when stopped."""
        try:
            return float(self._stream.time) if self._stream is not None else 0.0
        except Exception:
            return 0.0

    @property
    def input_latency(self) -> float:
        """PortAudio's reported input latency in seconds."""
        return float(self._stream.latency) if self._stream is not None else 0.0

    def check(self) -> str:
        """Detect a dead device (stream stopped by itself, or no audio for a while). Returns the fault ('' if ok).

        On a fault the stream is closed; the ring buffer keeps what was captured.
        """
        if self._stream is None or self.fault:
            return self.fault
        now = time.monotonic()
        problem = ""
        if not self._stream.active:
            problem = "the audio system stopped the stream"
        elif self.callbacks == 0 and now - self.started_at > START_SECONDS:
            problem = f"no audio arrived within {START_SECONDS:.0f} s"
        elif self.callbacks and now - self.last_callback > STALL_SECONDS:
            problem = f"no audio for {now - self.last_callback:.1f} s"
        if problem:
            self.fault = (f"The input device '{self.device.name}' stopped delivering audio ({problem}); "
                          "was it unplugged or removed? What was captured so far is kept.")
            self._close()
        return self.fault

    def stop(self) -> None:
        """Stop and close the stream (idempotent)."""
        self._close()

    def _close(self) -> None:
        stream, self._stream = self._stream, None
        self.new_audio.set()  # wake a waiting reader so that it sees the stream is gone
        if stream is not None:
            try:
                stream.abort()
                stream.close()
            except Exception:  # a removed device may refuse to close cleanly; it is gone either way
                pass

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()

