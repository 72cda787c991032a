"""The compute device the user picks (Tools > Compute device, or `workbench --device`) is used from the first job,
and the live panel offers what the installed plugins contribute."""

from __future__ import annotations

from .conftest import open_file, write_tone


def _device_actions(window):
    window.device_menu.aboutToShow.emit()  # the GPUs are listed when the menu opens
    return {a.data(): a for a in window.device_menu.actions()}


def test_device_menu_choice_is_used_and_remembered(make_window, store, monkeypatch):
    monkeypatch.delenv("WORKBENCH_DEVICE", raising=False)
    w = make_window()
    assert w.jobs.runner.device == "auto"  # resolved in the worker when a job starts
    actions = _device_actions(w)
    assert {"auto", "cpu"} <= set(actions) and actions["auto"].isChecked()
    actions["cpu"].trigger()
    assert w.jobs.runner.device == "cpu" and store.compute_device() == "cpu"
    assert _device_actions(make_window())["cpu"].isChecked()  # a new window starts with the saved choice


def test_device_from_the_command_line_runs_the_first_job(make_window, tmp_path, qtbot, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DEVICE", "cpu")
    w = make_window()
    assert w.jobs.runner.device == "cpu"
    open_file(qtbot, w, write_tone(tmp_path / "a.wav", freq=220, seconds=1.5, sr=16000))
    before = len(w.doc.layers)
    w.plugins.select("vad") if hasattr(w.plugins, "select") else None
    job = w.jobs.runner.submit_plugin(w.registry.get("vad"), w.doc.audio, {})
    assert job.wait(60)
    assert job.ctx.device == "cpu" and "ran on cpu" in job.ctx.summary
    assert len(w.doc.layers) == before  # submitting directly does not touch the document


def test_live_panel_offers_every_contributed_live_processor(qtbot):
    from workbench.core.registry import default_registry
    from workbench.gui.live_panel import LivePanel

    panel = LivePanel()
    qtbot.addWidget(panel)
    contributed = {p.id for m in default_registry() for p in m.live}
    assert set(panel.checks) == contributed
    assert {"pitch", "transcription", "separation"} <= contributed
    assert panel.checks["separation"].text() == "Vocals (monitor)"
