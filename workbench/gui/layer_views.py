"""Creates, restyles and removes the renderer of each layer as the document changes."""

from __future__ import annotations

from PySide6.QtCore import QObject

from workbench.core.layers import Tracks

from .document import Document
from .lanes import CurveLane, EventsLane, LanesArea, MatrixLane, SegmentsLane, TagsLane, TracksLane
from .overlays import CurveOverlay, NotesOverlay, curve_is_frequency
from .transport import PlaybackController


def track_source_name(layer: Tracks, key: str) -> str:
    """The name a derived track has in the A/B list."""
    return f"{layer.name}: {key}" if len(layer.tracks) > 1 or key != layer.name else key


# kind -> (views, layer, colour) -> renderer; plugins add renderers for their own kinds (``LayerKind``)
BUILTIN_RENDERERS = {
    "curve": lambda v, layer, c: (CurveOverlay(layer, v.pane, c) if curve_is_frequency(layer)
                                  else CurveLane(layer, v.pane, c)),
    "notes": lambda v, layer, c: NotesOverlay(layer, v.pane, c),
    "events": lambda v, layer, c: EventsLane(layer, v.pane, c),
    "segments": lambda v, layer, c: SegmentsLane(layer, v.pane, c),
    "words": lambda v, layer, c: SegmentsLane(layer, v.pane, c),
    "tags": lambda v, layer, c: TagsLane(layer, v.pane, c) if layer.frame_scores is not None else None,
    "matrix": lambda v, layer, c: MatrixLane(layer, v.pane, c),
    "tracks": lambda v, layer, c: v._tracks(layer, c),
}


def contributed_renderer(kind: str):
    """The renderer a plugin's ``LayerKind`` names for ``kind`` (a LaneView subclass taking layer, pane,
    colour), or None."""
    from workbench.core.contributions import resolve
    from workbench.core.registry import default_registry

    for manifest in default_registry():
        for lk in manifest.layer_kinds:
            if lk.kind == kind and lk.renderer:
                cls = resolve(lk.renderer)
                return lambda v, layer, c: cls(layer, v.pane, c)
    return None


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
        """The renderer for ``layer``'s kind: a built-in one, or the one a plugin contributes for its own kind."""
        color = self.doc.color(layer)
        make = BUILTIN_RENDERERS.get(layer.kind) or contributed_renderer(layer.kind)
        return make(self, layer, color) if make is not None else None  # Matches: shown in the details panel

    def _tracks(self, layer: Tracks, color):
        for key, buf in layer.tracks.items():
            self.playback.add_track(track_source_name(layer, key), buf, layer.offset)
        return TracksLane(layer, self.pane, color, on_mute=self._mute, on_solo=self._solo)

    def _added(self, layer) -> None:
        view = self._make(layer)
        if view is None:
            return
        self.views[layer.id] = view
        if hasattr(view, "lanes"):  # lanes in the order of the document's layers (an edited one keeps its place)
            at = self.doc.layers.index(layer) if layer in self.doc.layers else len(self.doc.layers)
            before = {other.id for other in self.doc.layers[:at]}
            self.lanes.add_view(view, sum(1 for v in self.lanes.views if v.layer.id in before))
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
