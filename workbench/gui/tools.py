"""Tools menu and docks that come from other parts of the workbench: model manager, cover-song library,
"learn this timbre" (DDSP) training and the live input panel. Each is imported only when first opened, so
start-up stays fast."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

log = logging.getLogger(__name__)


def install_tools(window) -> None:
    """Add the tool actions to ``window`` (a MainWindow)."""
    specs = [
        ("Tools", "&Models…", "Which models are on this machine; fetch, import or verify them", _open_models),
        ("Tools", "Cover-song &library…", "Add folders to the library searched by the cover-search plugin", _open_library),
        ("Tools", "Learn this &timbre (DDSP)…", "Train a DDSP timbre model on the open recording", _open_ddsp),
        ("Tools", "&Live input", "Microphone capture with live spectrogram, recording and live plugins", _toggle_live),
    ]
    for menu, text, tip, fn in specs:
        action = QAction(text, window)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False, f=fn: _guarded(window, f))
        window.add_tool_action(menu, action)
    window.live_action = action
    action.setShortcut("Ctrl+L")


def _guarded(window, fn) -> None:
    try:
        fn(window)
    except Exception as exc:  # a tool that fails to open must not take the window down
        log.exception("tool failed to open")
        QMessageBox.warning(window, "Audio Workbench", f"Could not open this tool: {exc}")


def _open_models(window) -> None:
    from workbench.core.models import default_store

    from .models_dialog import ModelsDialog

    dialog = ModelsDialog(default_store(), parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()


def _open_library(window) -> None:
    from .library_dialog import LibraryDialog

    dialog = LibraryDialog(parent=window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()


def _open_ddsp(window) -> None:
    from .ddsp_dialog import DDSPTrainDialog

    dialog = DDSPTrainDialog(parent=window, audio=window.doc.audio)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()


def _toggle_live(window) -> None:
    dock = getattr(window, "live_dock", None)
    if dock is None:
        from .live_panel import LivePanel

        panel = LivePanel(parent=window)
        panel.recording_finished.connect(lambda audio: _recording_to_document(window, audio))
        panel.layers_finished.connect(lambda layers: window.doc.add_layers(layers, "live results"))
        panel.message.connect(lambda msg: window.statusBar().showMessage(msg, 8000))
        window.live_panel = panel
        window.live_dock = dock = window.add_dock("Live input", panel, Qt.DockWidgetArea.BottomDockWidgetArea)
        dock.show()
        dock.raise_()
        panel.view.setMinimumHeight(220)  # the live spectrogram needs room to be readable
        window.resizeDocks([dock], [max(420, int(window.height() * 0.45))], Qt.Orientation.Vertical)
        return
    dock.setVisible(not dock.isVisible())


def _recording_to_document(window, audio) -> None:
    """A finished recording becomes the document when nothing is open, otherwise a Tracks layer (a lane with
    mute/solo, an A/B source, saved with the project)."""
    from workbench.core.layers import Tracks

    if window.doc.audio is None:
        window.show_audio(audio)
        return
    layer = Tracks(name="recording", source="live", tracks={"recording": audio})
    window.doc.add_layers([layer], "Record")
    window.statusBar().showMessage(f"Recording ({audio.duration:.1f} s) added as a track", 8000)
