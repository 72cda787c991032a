"""Every audio signal of the open document as a source: the original and each track of each Tracks layer
(stems, TTS or DDSP output, A/B files), under the names the A/B list uses.

Views (spectrogram pane, spectrum dock) and the Plugins panel's Input choice take their audio from here, so
"any track is a source" is one list. Results computed on a track are shifted by its ``offset`` back onto the
document clock. GUI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal

from workbench.core.layers import Tracks

from .layer_views import track_source_name
from .transport import ORIGINAL  # the A/B list's first entry


@dataclass(frozen=True)
class Source:
    """One signal: ``audio`` (its own rate), placed ``offset`` s on the document clock."""

    name: str
    audio: object  # AudioBuffer
    offset: float = 0.0
    layer_id: str = ""


class TrackSources(QObject):
    """The document's sources; ``changed`` when a file is opened or a Tracks layer comes or goes."""

    changed = Signal()

    def __init__(self, doc, parent: QObject | None = None):
        super().__init__(parent)
        self.doc = doc
        self._at_rate: dict[tuple[int, int], tuple] = {}  # (id(buffer), rate) -> (buffer, resampled)
        doc.audio_changed.connect(self._audio_changed)
        doc.layer_added.connect(lambda layer: isinstance(layer, Tracks) and self.changed.emit())
        doc.layer_removed.connect(lambda layer: isinstance(layer, Tracks) and self.changed.emit())

    def _audio_changed(self) -> None:
        self._at_rate.clear()
        self.changed.emit()

    def sources(self) -> list[Source]:
        if self.doc.audio is None:
            return []
        out = [Source(ORIGINAL, self.doc.audio, 0.0)]
        for layer in self.doc.layers:
            if isinstance(layer, Tracks):
                for key, buf in layer.tracks.items():
                    if buf is not None and buf.num_samples:
                        out.append(Source(track_source_name(layer, key), buf, float(layer.offset), layer.id))
        return out

    def names(self) -> list[str]:
        return [s.name for s in self.sources()]

    def get(self, name: str) -> Source | None:
        return next((s for s in self.sources() if s.name == name), None)

    def at_document_rate(self, source: Source):
        """The source's audio at the document's sample rate (cached), so every view shares one frequency axis."""
        doc_rate = self.doc.audio.sample_rate
        buf = source.audio
        if buf.sample_rate == doc_rate:
            return buf
        key = (id(buf), doc_rate)
        cached = self._at_rate.get(key)
        if cached is None or cached[0] is not buf:
            cached = self._at_rate[key] = (buf, buf.resample(doc_rate))
        return cached[1]
