"""The Tools menu opens the model manager, the cover-song library and the DDSP trainer."""

from PySide6.QtWidgets import QDialog

from workbench.gui.app import create_window


def _action(window, text):
    menu = window.menu("Tools")
    return next(a for a in menu.actions() if a.text().replace("&", "").startswith(text))


def test_tools_menu_opens_dialogs(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    window = create_window([])
    qtbot.addWidget(window)
    for text, cls_name in (("Models", "ModelsDialog"), ("Cover-song library", "LibraryDialog"),
                           ("Learn this timbre", "DDSPTrainDialog")):
        _action(window, text).trigger()
        dialogs = [w for w in window.findChildren(QDialog) if type(w).__name__ == cls_name]
        assert dialogs, f"{cls_name} did not open"
        for d in dialogs:
            d.close()


def test_live_input_dock_toggles(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    window = create_window([])
    qtbot.addWidget(window)
    _action(window, "Live input").trigger()
    window.show()
    qtbot.waitExposed(window)
    assert window.live_dock.isVisible()
    assert type(window.live_panel).__name__ == "LivePanel"
    _action(window, "Live input").trigger()
    assert not window.live_dock.isVisible()
