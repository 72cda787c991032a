"""Tools menu: the host's own tools (model manager, live input panel) and every dialog a plugin contributes
(``Widget`` in its manifest, e.g. the cover-song library and DDSP training). Each is imported only when first
opened, so start-up stays fast, and the host knows no plugin by name."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

log = logging.getLogger(__name__)


def install_tools(window) -> None:
    """Add the tool actions to ``window`` (a MainWindow)."""
    specs = [("Tools", "&Models…", "Which models are on this machine; fetch, import or verify them", _open_models, "")]
    for plugin, widget in contributed_widgets():
        specs.append((widget.menu, widget.title, f"{plugin.name}: {widget.title.replace('&', '').rstrip('…')}",
                      lambda w, ref=widget.factory: _open_contributed(w, ref), widget.shortcut))
    specs.append(("Tools", "&Live input", "Microphone capture with live spectrogram, recording and live plugins",
                  _toggle_live, "Ctrl+L"))
    for menu, text, tip, fn, shortcut in specs:
        action = QAction(text, window)
        action.setStatusTip(tip)
        if shortcut:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _=False, f=fn: _guarded(window, f))
        window.add_tool_action(menu, action)
    window.live_action = action
    install_device_menu(window)


def install_device_menu(window) -> None:
    """Tools > Compute device: Auto / CPU / each CUDA GPU (listed when the menu opens, torch is loaded by then)."""
    from PySide6.QtGui import QActionGroup

    menu = window.menu("Tools").addMenu("Compute &device")
    group = QActionGroup(menu)
    group.setExclusive(True)
    window.device_menu = menu

    def fill() -> None:
        from workbench.core.devices import compute_devices

        menu.clear()
        current = window.device_preference()
        choices = [("auto", "Auto (a CUDA GPU when there is one)")]
        for d in compute_devices():
            choices.append((d["id"], d["name"] if d["id"] == "cpu" else f"{d['id']}: {d['name']}"))
        for device, text in choices:
            act = QAction(text, menu)
            act.setCheckable(True)
            act.setChecked(device == current)
            act.setData(device)
            group.addAction(act)
            act.triggered.connect(lambda _=False, d=device: window.set_compute_device(d))
            menu.addAction(act)

    menu.aboutToShow.connect(fill)  # not at start-up: listing GPUs imports torch


def contributed_widgets() -> list:
    """(plugin manifest, Widget) for every dialog the installed plugins contribute."""
    from workbench.core.registry import default_registry

    return [(m, w) for m in default_registry() for w in m.widgets]


def _open_contributed(window, factory_ref: str) -> None:
    from workbench.core.contributions import resolve

    dialog = resolve(factory_ref)(window, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()


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
