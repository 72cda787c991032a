"""Time-frequency selection: the measure box as a selection you can listen to and run plugins on.

The box's time span becomes the time selection (so Loop and "Run on: Selection" use it); band-limited playback
puts a band-pass on the played blocks in the player (``Player.set_band``), so A/B switching, loop and seeking
keep working; "run on the box" hands a plugin the band-limited audio over the box's span, and its results are
shifted back onto the document clock like any selection run.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from workbench.core.errors import WorkbenchError

from .measure_tool import MeasureTool, TimeFrequencyBox


class BandSelection(QObject):
    """``band_playback_changed(on)``; GUI thread only."""

    band_playback_changed = Signal(bool)

    def __init__(self, measure: MeasureTool, pane, playback, parent: QObject | None = None):
        super().__init__(parent)
        self.measure, self.pane, self.playback = measure, pane, playback
        self.band_playback = False
        measure.box_changed.connect(self._box_changed)
        playback.sources_changed.connect(self.apply)  # a new file makes a new player

    @property
    def box(self) -> TimeFrequencyBox | None:
        return self.measure.box

    def _box_changed(self, box: TimeFrequencyBox | None) -> None:
        if box is not None and box.duration > 0:
            self.pane.set_selection(box.t0, box.t1)
        self.apply()

    def set_band_playback(self, on: bool) -> None:
        """Hear only the box's band (when there is a box)."""
        self.band_playback = bool(on)
        self.apply()
        self.band_playback_changed.emit(self.band_playback)

    def apply(self) -> None:
        player, box = self.playback.player, self.box
        if player is None:
            return
        if self.band_playback and box is not None and box.f_hi > box.f_lo:
            player.set_band(box.f_lo, box.f_hi)
        else:
            player.set_band(None)

    def play_box(self) -> None:
        """Listen to the box: band-limited, looping over its span, from its start."""
        box = self.box
        if box is None:
            raise WorkbenchError("Draw a box first (M, then drag on the spectrogram, or Ctrl+drag).")
        self.pane.set_selection(box.t0, box.t1)
        self.set_band_playback(True)
        self.playback.set_loop((box.t0, box.t1))
        self.playback.seek(box.t0)
        self.playback.play()

    def box_audio(self, audio, offset: float = 0.0):
        """(band-limited audio over the box's span, its start on the document clock) for a plugin run on
        ``audio`` (a source placed ``offset`` s on the document clock)."""
        from workbench.core.spectrum import band_limited

        box = self.box
        if box is None:
            raise WorkbenchError("Draw a box on the spectrogram first (M, then drag), or run on the whole file.")
        if box.duration < 0.05:
            raise WorkbenchError("The box is too short (under 50 ms); draw a longer one.")
        piece = audio.slice(max(0.0, box.t0 - offset), max(0.0, box.t1 - offset))
        if piece.num_samples == 0:
            raise WorkbenchError("The chosen input has no audio under the box.")
        return band_limited(piece, box.f_lo, box.f_hi), max(box.t0, offset)
