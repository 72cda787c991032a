"""Scrolling live spectrogram (STFT or mel) with a pitch curve over it, a live waveform and a lane of live
words and sound events below.

Fed by the live panel's ~60 Hz timer with the columns/samples of each :class:`LiveUpdate`; times on the x
axis are seconds since the capture started, the newest ``history`` seconds are shown. The frequency axis uses
the file view's scales (linear, log, mel, note names) through the same ``FrequencyAxis`` and axis item.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from .axes import FrequencyAxisItem
from .spectrogram_pane import uniform_rows

SCALES = ("linear", "log", "mel", "note")


class LiveView(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None, history: float = 8.0):
        super().__init__(parent)
        self.history = history
        self.scale = "log"  # voices and f0 curves sit in the middle of a log axis, not at the bottom
        self.freq_axis = None
        self.lane_items: list = []  # (start s, end s, text, is_event)
        self.freq_item = FrequencyAxisItem(orientation="left")
        self.spec_plot = self.addPlot(row=0, col=0, axisItems={"left": self.freq_item})
        self.spec_plot.setMouseEnabled(x=False, y=True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("magma"))
        self.spec_plot.addItem(self.image)
        self.pitch_item = pg.PlotDataItem(pen=pg.mkPen("#39e07a", width=2), connect="finite")
        self.spec_plot.addItem(self.pitch_item)
        self.wave_plot = self.addPlot(row=1, col=0)
        self.wave_plot.setXLink(self.spec_plot)
        self.wave_plot.setYRange(-1, 1)
        self.wave_plot.setMouseEnabled(x=False, y=False)
        self.wave_item = pg.PlotDataItem(pen=pg.mkPen("#7fb3ff"))
        self.wave_plot.addItem(self.wave_item)
        self.wave_peak = 0.05  # autoscale: follows the loudest recent sample, decays slowly
        self.lane_plot = self.addPlot(row=2, col=0)
        self.lane_plot.setXLink(self.spec_plot)
        self.lane_plot.setMouseEnabled(x=False, y=False)
        self.lane_plot.setYRange(0, 2, padding=0)
        self.lane_plot.getAxis("left").setTicks([[(0.5, "words"), (1.5, "events")]])
        self.lane_plot.setLabel("bottom", "time", units="s")
        self._lane_graphics: list = []
        for plot in (self.spec_plot, self.wave_plot, self.lane_plot):
            plot.getAxis("left").setWidth(64)
        for plot in (self.spec_plot, self.wave_plot):  # one time ruler, at the bottom
            plot.getAxis("bottom").setStyle(showValues=False)
        self.ci.layout.setRowStretchFactor(0, 4)
        self.ci.layout.setRowStretchFactor(1, 1)
        self.wave_plot.setMaximumHeight(80)  # the spectrogram gets the room
        self.lane_plot.setMaximumHeight(80)
        self.db_range = (-100.0, 0.0)
        self.reset(48000, np.fft.rfftfreq(2048, 1 / 48000), 512, 2048, "stft")

    def reset(self, sample_rate: int, frequencies: np.ndarray, hop: int, n_fft: int, kind: str) -> None:
        """Start an empty view for a new capture."""
        self.sample_rate, self.hop, self.n_fft, self.kind = sample_rate, hop, n_fft, kind
        self.frequencies = np.asarray(frequencies, np.float64)
        self.n_cols = max(8, int(self.history * sample_rate / hop))
        self.columns = np.full((len(self.frequencies), self.n_cols), self.db_range[0], np.float32)
        self.columns_seen = 0
        self.wave = np.zeros(int(self.history * sample_rate), np.float32)
        self.wave_end = 0.0  # seconds: capture time just after the newest waveform sample
        self.pitch_t = np.zeros(0)
        self.pitch_f = np.zeros(0)
        self.lane_items = []
        self.set_scale(self.scale)

    def set_scale(self, scale: str) -> None:
        """Frequency scale: 'linear', 'log', 'mel' or 'note' (log with note names), as in the file view."""
        from workbench.core.features import FrequencyAxis

        if scale not in SCALES:
            raise ValueError(f"unknown frequency scale {scale!r}; expected one of {SCALES}")
        self.scale = scale
        f = self.frequencies
        warp = "log" if scale == "note" else scale
        if self.kind != "stft" and warp == "mel":  # mel bands on their own axis: row k at position k
            fa = FrequencyAxis("mel", float(f[0]), float(f[-1]), len(f))
        elif warp == "log":
            fa = FrequencyAxis("log", max(30.0, float(f[f > 0][0])), float(f[-1]), 512)
        elif warp == "mel":
            fa = FrequencyAxis("mel", float(f[0]), float(f[-1]), 256)
        else:
            fa = FrequencyAxis("linear", float(f[0]), float(f[-1]), len(f) if self.kind == "stft" else 512)
        self.freq_axis = fa
        self.freq_item.set_frequency_axis(fa)
        self.freq_item.set_note_labels(scale == "note")
        self._redraw()
        # On a linear axis voices and most instruments live below 5 kHz: start there (drag/wheel shows more).
        top = fa.to_position(min(5000.0, float(f[-1]))) if warp == "linear" else fa.n_rows - 0.5
        self.spec_plot.setYRange(-0.5, float(top), padding=0)

    def add_events(self, layer) -> None:
        """Live sound events (an Events layer on the capture clock) onto the lane."""
        for a, b, label in zip(layer.starts, layer.ends, layer.labels):
            self.lane_items.append((float(a), float(b), str(label), True))

    def add_words(self, layer) -> None:
        """Final live words or segments (Segments/Words on the capture clock) onto the lane."""
        for a, b, text in zip(layer.starts, layer.ends, layer.texts):
            self.lane_items.append((float(a), float(b), str(text).strip(), False))

    # -- data in ----------------------------------------------------------------------------------------------
    def add_columns(self, columns: np.ndarray, first_index: int) -> None:
        """New spectrogram columns (k, bins) in dB; ``first_index`` is the stream index of columns[0]."""
        k = len(columns)
        if not k:
            return
        k = min(k, self.n_cols)
        self.columns = np.roll(self.columns, -k, axis=1)
        self.columns[:, -k:] = columns[-k:].T
        self.columns_seen = first_index + len(columns)

    def add_samples(self, samples: np.ndarray, start_time: float) -> None:
        n = min(len(samples), len(self.wave))
        if n:
            self.wave = np.roll(self.wave, -n)
            self.wave[-n:] = samples[-n:]
        self.wave_end = start_time + len(samples) / self.sample_rate

    def add_pitch(self, times: np.ndarray, f0: np.ndarray, voiced: np.ndarray | None) -> None:
        """f0 frames in Hz (unvoiced frames drawn as gaps)."""
        values = np.where(voiced if voiced is not None else f0 > 0, f0, np.nan)
        self.pitch_t = np.concatenate([self.pitch_t, times])
        self.pitch_f = np.concatenate([self.pitch_f, values])
        keep = self.pitch_t >= self.wave_end - self.history - 1.0
        self.pitch_t, self.pitch_f = self.pitch_t[keep], self.pitch_f[keep]

    # -- drawing ----------------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        fa = self.freq_axis
        if fa is None:
            return
        data, y0, y1 = uniform_rows(self.columns, np.asarray(fa.to_position(self.frequencies), np.float64), fa.n_rows)
        self.image.setImage(data, autoLevels=False, levels=self.db_range)
        end_col_time = ((self.columns_seen - 1) * self.hop + self.n_fft // 2) / self.sample_rate
        x0 = end_col_time - (self.n_cols - 1) * self.hop / self.sample_rate
        self.image.setRect(x0, y0, self.n_cols * self.hop / self.sample_rate, y1 - y0)
        t = self.wave_end - len(self.wave) / self.sample_rate + np.arange(len(self.wave)) / self.sample_rate
        step = max(1, len(self.wave) // 4000)  # about a point per pixel
        self.wave_item.setData(t[::step], self.wave[::step])
        recent = float(np.max(np.abs(self.wave[-self.sample_rate:]))) if len(self.wave) else 0.0
        self.wave_peak = max(0.01, recent, 0.97 * self.wave_peak)  # rise at once, fall gently
        self.wave_plot.setYRange(-self.wave_peak, self.wave_peak, padding=0.05)
        f0 = np.asarray(self.pitch_f, np.float64)
        pos = np.full_like(f0, np.nan)
        ok = np.isfinite(f0) & (f0 > 0)
        pos[ok] = fa.to_position(f0[ok])
        self.pitch_item.setData(self.pitch_t, pos, connect="finite")
        self._draw_lane()
        self.spec_plot.setXRange(self.wave_end - self.history, self.wave_end, padding=0)

    def _draw_lane(self) -> None:
        start = self.wave_end - self.history - 1.0
        self.lane_items = [it for it in self.lane_items if it[1] >= start][-200:]
        for g in self._lane_graphics:
            self.lane_plot.removeItem(g)
        self._lane_graphics = []
        for a, b, text, is_event in self.lane_items:
            y = 1.0 if is_event else 0.0
            box = pg.QtWidgets.QGraphicsRectItem(a, y + 0.1, max(b - a, 0.02), 0.8)
            box.setPen(pg.mkPen("#ff9100" if is_event else "#00e5ff"))
            box.setBrush(pg.mkBrush(255, 145, 0, 60) if is_event else pg.mkBrush(0, 229, 255, 50))
            label = pg.TextItem(text, color="#eeeeee", anchor=(0, 0.5))
            label.setPos(a, y + 0.5)
            for g in (box, label):
                self.lane_plot.addItem(g)
                self._lane_graphics.append(g)

    def redraw(self) -> None:
        self._redraw()

    def peak_frequency(self, last_columns: int = 20) -> float:
        """Frequency (Hz) of the loudest bin over the newest columns (for tests and the status line)."""
        recent = self.columns[:, -last_columns:].max(axis=1)
        return float(self.frequencies[int(np.argmax(recent))])
