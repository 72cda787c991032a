"""Scrolling live spectrogram (STFT or mel) with a pitch curve over it, and a live waveform below.

Fed by the live panel's ~60 Hz timer with the columns/samples of each :class:`LiveUpdate`; times on the x
axis are seconds since the capture started, the newest ``history`` seconds are shown.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg


class LiveView(pg.GraphicsLayoutWidget):
    def __init__(self, parent=None, history: float = 8.0):
        super().__init__(parent)
        self.history = history
        self.spec_plot = self.addPlot(row=0, col=0)
        self.spec_plot.setLabel("left", "frequency", units="Hz")
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
        self.wave_plot.setLabel("bottom", "time", units="s")
        self.wave_item = pg.PlotDataItem(pen=pg.mkPen("#7fb3ff"))
        self.wave_plot.addItem(self.wave_item)
        self.ci.layout.setRowStretchFactor(0, 4)
        self.ci.layout.setRowStretchFactor(1, 1)
        self.wave_plot.setMaximumHeight(90)  # the spectrogram gets the room
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
        self.spec_plot.setLabel("left", "frequency" if kind == "stft" else "mel band", units="Hz" if kind == "stft" else "")
        self._redraw()
        # Voices and most instruments live below 5 kHz: start there (drag/wheel on the axis shows more).
        top = min(5000.0, float(self.frequencies[-1])) if kind == "stft" else float(len(self.frequencies))
        self.spec_plot.setYRange(0, top, padding=0)

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
        self.image.setImage(self.columns, autoLevels=False, levels=self.db_range)
        end_col_time = ((self.columns_seen - 1) * self.hop + self.n_fft // 2) / self.sample_rate
        x0 = end_col_time - (self.n_cols - 1) * self.hop / self.sample_rate
        top = float(self.frequencies[-1]) if self.kind == "stft" else float(len(self.frequencies))
        self.image.setRect(x0, 0.0, self.n_cols * self.hop / self.sample_rate, top)
        t = self.wave_end - len(self.wave) / self.sample_rate + np.arange(len(self.wave)) / self.sample_rate
        step = max(1, len(self.wave) // 4000)  # about a point per pixel
        self.wave_item.setData(t[::step], self.wave[::step])
        if self.kind == "stft":
            self.pitch_item.setData(self.pitch_t, self.pitch_f)
        else:  # mel view: place f0 on the band axis
            self.pitch_item.setData(self.pitch_t, np.interp(self.pitch_f, self.frequencies,
                                                            np.arange(len(self.frequencies)) + 0.5))
        self.spec_plot.setXRange(self.wave_end - self.history, self.wave_end, padding=0)

    def redraw(self) -> None:
        self._redraw()

    def peak_frequency(self, last_columns: int = 20) -> float:
        """Frequency (Hz) of the loudest bin over the newest columns (for tests and the status line)."""
        recent = self.columns[:, -last_columns:].max(axis=1)
        return float(self.frequencies[int(np.argmax(recent))])
