"""Live capture (no Qt): ring buffer, capture stream, recorder, live spectrogram, streaming plugin driver.

See :class:`workbench.live.session.LiveSession` for the whole chain; the GUI's live panel drives it with a
~60 Hz timer. Heavy parts (models, sounddevice) are imported only when used.
"""

from .capture import CaptureError, CaptureStream, input_devices
from .recorder import Recorder
from .ring_buffer import RingBuffer, RingReader
from .session import LiveSession, LiveUpdate
from .spectrogram import LiveSpectrogram
from .streaming import StreamDriver

__all__ = ["CaptureError", "CaptureStream", "input_devices", "Recorder", "RingBuffer", "RingReader",
           "LiveSession", "LiveUpdate", "LiveSpectrogram", "StreamDriver"]
