"""Remembered settings (QSettings): last folder, recent files, spectrogram settings, window layout, output device."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 10


class SettingsStore:
    """Thin typed wrapper over QSettings; ``QSettings(path, IniFormat)`` in tests keeps them isolated."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings or QSettings("AudioWorkbench", "Audio Workbench")

    # files
    def last_folder(self) -> str:
        return str(self.q.value("files/lastFolder", str(Path.home())))

    def set_last_folder(self, folder: str) -> None:
        self.q.setValue("files/lastFolder", folder)

    def recent_files(self) -> list[str]:
        v = self.q.value("files/recent", [])
        if isinstance(v, str):
            v = [v] if v else []
        return [str(x) for x in (v or [])]

    def add_recent(self, path: str) -> list[str]:
        path = str(Path(path).resolve())
        files = [path] + [p for p in self.recent_files() if p != path]
        self.q.setValue("files/recent", files[:MAX_RECENT])
        return files[:MAX_RECENT]

    def clear_recent(self) -> None:
        self.q.setValue("files/recent", [])

    # spectrogram
    def spectrogram_settings(self):
        from workbench.core.features import SpectrogramSettings

        default = SpectrogramSettings()
        raw = self.q.value("view/spectrogram", "")
        try:
            saved = json.loads(raw) if raw else {}
            names = {f.name for f in dataclasses.fields(default)}
            return dataclasses.replace(default, **{k: v for k, v in saved.items() if k in names})
        except Exception:  # settings from another version: fall back to defaults
            return default

    def save_spectrogram_settings(self, settings) -> None:
        self.q.setValue("view/spectrogram", json.dumps(dataclasses.asdict(settings)))

    # plugins
    def last_plugin(self) -> str:
        return str(self.q.value("plugins/last", "") or "")

    def set_last_plugin(self, plugin_id: str) -> None:
        self.q.setValue("plugins/last", plugin_id or "")

    # compute
    def compute_device(self) -> str:
        """'auto' (a CUDA GPU when there is one), 'cpu' or 'cuda:N'."""
        return str(self.q.value("compute/device", "auto") or "auto")

    def set_compute_device(self, device: str) -> None:
        self.q.setValue("compute/device", device or "auto")

    # playback
    def output_device(self) -> str:
        return str(self.q.value("playback/outputDevice", "") or "")

    def set_output_device(self, name: str) -> None:
        self.q.setValue("playback/outputDevice", name)

    # window
    def save_window(self, window) -> None:
        self.q.setValue("window/geometry", window.saveGeometry())
        self.q.setValue("window/state", window.saveState())
        self.set_output_device(window.transport.device.currentText()
                               if window.transport.device.currentIndex() > 0 else "")
        self.q.sync()

    def restore_window(self, window) -> None:
        geo, state = self.q.value("window/geometry"), self.q.value("window/state")
        if geo is not None:
            window.restoreGeometry(geo)
        else:
            window.resize(1400, 860)
        if state is not None:
            window.restoreState(state)
