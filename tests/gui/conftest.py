"""Fixtures for the GUI tests: isolated settings, a main window, synthetic audio files."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
import pytest
import soundfile as sf

import pytestqt  # noqa: F401  -- a test dependency: a missing one is an error, not a skip


@pytest.fixture
def store(tmp_path):
    from PySide6.QtCore import QSettings

    from workbench.gui.settings_store import SettingsStore

    return SettingsStore(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


def write_tone(path, freq=1000.0, seconds=2.0, sr=22050, amp=0.5, channels=1):
    t = np.arange(int(seconds * sr)) / sr
    x = (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    sf.write(str(path), np.stack([x] * channels, axis=1) if channels > 1 else x, sr)
    return str(path)


@pytest.fixture
def tone_file(tmp_path):
    return write_tone(tmp_path / "tone1k.wav")


@pytest.fixture
def make_window(qtbot, store):
    from workbench.gui.app import create_app
    from workbench.gui.main_window import MainWindow

    create_app()
    made = []

    def make(registry=None):
        w = MainWindow(registry=registry, settings=store)
        qtbot.addWidget(w)
        w.resize(1300, 820)
        w.show()
        qtbot.waitExposed(w)
        w.activateWindow()  # window shortcuts (Space...) need the active window
        qtbot.waitUntil(w.isActiveWindow, timeout=2000)
        made.append(w)
        return w

    yield make
    for w in made:
        w.files.loader.close()
        w.playback.close()
        w.jobs.shutdown()
        w.pane.bridge.close()
        w.pane.bridge.wait(5.0)


def wait_image(qtbot, window, kind=None, timeout=20000):
    """Wait until the pane shows an image rendered with the current settings (and ``kind``)."""
    pane = window.pane

    def ready():
        img = pane.current_image
        return pane.is_up_to_date() and (kind is None or img.kind == kind)

    qtbot.waitUntil(ready, timeout=timeout)
    return pane.current_image


def open_file(qtbot, window, path, timeout=20000):
    """Open ``path`` in ``window`` and wait until it is shown (loading runs in a worker)."""
    with qtbot.waitSignal(window.file_opened, timeout=timeout):
        assert window.files.open_paths([str(path)])
    return window.doc.audio
