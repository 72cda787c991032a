"""Creates, restyles and removes the renderer of each layer as the document changes."""

from __future__ import annotations

from PySide6.QtCore import QObject

from workbench.core.layers import Curve, Events, Matrix, Notes, Segments, Tags, Tracks

from .document import Document
from .lanes import CurveLane, EventsLane, LanesArea, MatrixLane, SegmentsLane, TagsLane, TracksLane
from .overlays import CurveOverlay, NotesOverlay, curve_is_frequency
from .transport import PlaybackController


def track_source_name(layer: Tracks, key: str) -> str:
    """The name a derived track has in the A/B list."""
    return f"{layer.name}: {key}" if len(layer.tracks) > 1 or key != layer.name else key


class LayerViews(QObject):
    """Keeps one renderer per visible-able layer: overlays on the pane, lanes in the lanes area."""

    def __init__(self, doc: Document, pane, lanes: LanesArea, playback: PlaybackController, parent=None):
        super().__init__(parent)
        self.doc, self.pane, self.lanes, self.playback = doc, pane, lanes, playback
        self.views: dict[str, object] = {}
        doc.layer_added.connect(self._added)
        doc.layer_removed.connect(self._removed)
        doc.layer_style_changed.connect(self._restyled)

    def view(self, layer):
        return self.views.get(layer.id)

    def _make(self, layer):
        color = self.doc.color(layer)
        if isinstance(layer, Curve):
            return CurveOverlay(layer, self.pane, color) if curve_is_frequency(layer) else CurveLane(layer, self.pane, color)
        if isinstance(layer, Notes):
            return NotesOverlay(layer, self.pane, color)
        if isinstance(layer, Events):
            return EventsLane(layer, self.pane, color)
        if isinstance(layer, Segments):  # Words too
            return SegmentsLane(layer, self.pane, color)
        if isinstance(layer, Tags):
            return TagsLane(layer, self.pane, color) if layer.frame_scores is not None else None
        if isinstance(layer, Matrix):
            return MatrixLane(layer, self.pane, color)
        if isinstance(layer, Tracks):
            for key, buf in layer.tracks.items():
                self.playback.add_track(track_source_name(layer, key), buf, layer.offset)
            return TracksLane(layer, self.pane, color, on_mute=self._mute, on_solo=self._solo)
        return None  # Matches: shown in the details panel

    def _added(self, layer) -> None:
        view = self._make(layer)
        if view is None:
            return
        self.views[layer.id] = view
        if hasattr(view, "lanes"):
            self.lanes.add_view(view)
        view.set_visible(self.doc.is_visible(layer))

    def _removed(self, layer) -> None:
        view = self.views.pop(layer.id, None)
        if isinstance(layer, Tracks):
            for key in layer.tracks:
                self.playback.remove_track(track_source_name(layer, key))
        if view is None:
            return
        if hasattr(view, "lanes"):
            self.lanes.remove_view(view)
        else:
            view.remove()

    def _restyled(self, layer) -> None:
        view = self.views.get(layer.id)
        if view is not None:
            view.set_visible(self.doc.is_visible(layer))
            view.set_color(self.doc.color(layer))

    def _mute(self, layer: Tracks, key: str, on: bool) -> None:
        p = self.playback.player
        name = track_source_name(layer, key)
        if p and name in p.sources:
            p.set_muted(name, on)

    def _solo(self, layer: Tracks, key: str, on: bool) -> None:
        p = self.playback.player
        name = track_source_name(layer, key)
        if p and name in p.sources:
            p.set_solo(name, on)
