"""Library dialog: add a folder (analysed in the background), rescan, cancel."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

import pytestqt  # noqa: F401  -- a test dependency: a missing one is an error, not a skip


def chord_file(path, seed: int, seconds: float = 6.0, sr: int = 22050) -> None:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * sr)) / sr
    y = np.zeros_like(t)
    for start in np.arange(0, seconds, 0.5):
        seg = (t >= start) & (t < start + 0.5)
        root = 57 + int(rng.integers(0, 12))
        for iv in (0, 4, 7):
            y[seg] += np.sin(2 * np.pi * 440 * 2 ** ((root + iv - 69) / 12) * t[seg])
    sf.write(str(path), (0.2 * y).astype(np.float32), sr)


@pytest.fixture
def music(tmp_path):
    folder = tmp_path / "music"
    folder.mkdir()
    for i in range(3):
        chord_file(folder / f"song{i}.wav", i)
    return folder


def test_add_folder_then_rescan(qtbot, music, tmp_path):
    from workbench_plugins.cover_search.dialog import LibraryDialog

    dlg = LibraryDialog(library_path=tmp_path / "lib.sqlite")
    qtbot.addWidget(dlg)
    assert dlg.count_label.text().startswith("0 tracks")
    with qtbot.waitSignal(dlg.scan_finished, timeout=120_000) as sig:
        dlg.add_folder(music)
    assert sig.args == ["done"]
    assert dlg.last_report.analysed == 3
    assert dlg.count_label.text().startswith("3 tracks")
    assert dlg.folder_list.count() == 1 and dlg.progress.value() == 1000
    assert dlg.add_button.isEnabled() and not dlg.cancel_button.isEnabled()
    with qtbot.waitSignal(dlg.scan_finished, timeout=60_000) as sig:
        dlg.rescan()
    assert sig.args == ["done"] and dlg.last_report.unchanged == 3 and dlg.last_report.analysed == 0


def test_cancel_stops_the_scan(qtbot, music, tmp_path):
    from workbench_plugins.cover_search.dialog import LibraryDialog

    for i in range(3, 6):
        chord_file(music / f"song{i}.wav", i)
    dlg = LibraryDialog(library_path=tmp_path / "lib2.sqlite")
    qtbot.addWidget(dlg)
    # Cancel as soon as the first progress report arrives (the scan is then busy with its first file).
    dlg.bridge.progress.connect(lambda *a: dlg.cancel())
    with qtbot.waitSignal(dlg.scan_finished, timeout=120_000) as sig:
        dlg.add_folder(music)
    assert sig.args == ["cancelled"]
    assert "cancelled" in dlg.status.text()
    assert not dlg.count_label.text().startswith("6")
    assert dlg.add_button.isEnabled()
