"""A third-party plugin (tests/thirdparty/site/wb_example_plugin, registered through its own entry point in a
.dist-info folder, as pip would) adds a command, a widget and a new layer kind with its renderer and exporter;
the host picks them all up without knowing the plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench.core import registry as registry_module
from workbench.core.audio import AudioBuffer
from workbench.core.layers import Layer
from workbench.core.plugin_api import JobContext, run_process

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
SITE = Path(__file__).parent / "site"
SR = 16000


@pytest.fixture
def third_party(monkeypatch):
    """The plugin 'installed': its folder on sys.path, and a registry discovered anew."""
    monkeypatch.syspath_prepend(str(SITE))
    reg = registry_module.PluginRegistry.discover()
    monkeypatch.setattr(registry_module, "_default", reg)
    return reg


def _clicks(seconds=2.0, at=(0.5, 1.2)):
    x = 0.001 * np.random.default_rng(0).standard_normal(int(seconds * SR))
    for t in at:
        i = int(t * SR)
        x[i:i + 400] += 0.5 * np.hanning(400)
    return AudioBuffer(x[None].astype(np.float32), SR, name="clicks")


def test_registry_finds_the_plugin_and_its_contributions(third_party):
    m = third_party.get("example_peaks")
    assert [c.name for c in m.commands] == ["peaks"]
    assert [w.id for w in m.widgets] == ["example-peaks"]
    assert [k.kind for k in m.layer_kinds] == ["peaks"]
    assert "wb_example_plugin.plugin" not in sys.modules  # discovery imports manifests only


def test_new_layer_kind_runs_exports_and_round_trips(third_party, tmp_path):
    from workbench.core.export import export_layers, supported_formats

    (layer,) = run_process(third_party.get("example_peaks"), _clicks(), {"threshold_db": -30.0}, JobContext())
    assert layer.kind == "peaks"
    assert np.allclose(layer.times, [0.525, 1.225], atol=0.06)
    assert ".peaks" in supported_formats(layer)
    (path,) = export_layers([layer], tmp_path / "p.peaks")
    assert len(path.read_text().splitlines()) == 2
    again = Layer.from_dict(layer.to_dict())  # a project file holding this kind opens again
    assert type(again).__name__ == "Peaks" and np.allclose(again.times, layer.times)


def test_the_command_is_a_workbench_subcommand(tmp_path):
    wav = tmp_path / "c.wav"
    clip = _clicks()
    sf.write(wav, clip.samples[0], SR)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SITE), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, "-m", "workbench", "peaks", str(wav)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("peak ") == 2
    analyzed = subprocess.run([sys.executable, "-m", "workbench", "analyze", str(wav), "--plugin", "example_peaks",
                               "--out", str(tmp_path / "x.peaks")], capture_output=True, text=True, env=env,
                              timeout=120)
    assert analyzed.returncode == 0, analyzed.stderr
    assert len((tmp_path / "x.peaks").read_text().splitlines()) == 2
    plain = subprocess.run([sys.executable, "-m", "workbench", "peaks", str(wav)], capture_output=True, text=True,
                           timeout=120)  # not installed: the command does not exist
    assert plain.returncode == 2


def test_widget_and_renderer_in_the_window(third_party, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog

    from workbench.gui.app import create_window

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    window = create_window([])
    qtbot.addWidget(window)
    action = next(a for a in window.menu("Tools").actions() if a.text().replace("&", "").startswith("Example peaks"))
    action.trigger()
    assert [w for w in window.findChildren(QDialog) if type(w).__name__ == "PeaksDialog"]
    (layer,) = run_process(third_party.get("example_peaks"), _clicks(), {"threshold_db": -30.0}, JobContext())
    window.doc.add_layers([layer], "peaks")
    views = [v for v in window.layer_views.views.values() if type(v).__name__ == "PeaksLane"]
    assert views and len(views[0].items) == 2
