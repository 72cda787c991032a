"""Class presets from the two front ends: the plugin's generated form (a combo box) and `workbench analyze -P`."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from workbench.core.audio import AudioBuffer

RATE = 16000
WORKBENCH = Path(sys.executable).parent / "workbench"


@pytest.fixture(scope="module")
def street_wav(tmp_path_factory) -> tuple[Path, tuple[float, float]]:
    from workbench_plugins.sed import soundscapes as sc

    rng = np.random.default_rng(21)
    x = sc.traffic(rng, 7 * RATE)
    siren = sc._place(x, sc.siren(np.random.default_rng(8), 3.0), 2.0, 3.0, sc._rms(x))
    path = tmp_path_factory.mktemp("sed") / "street.wav"
    sf.write(path, (x / np.abs(x).max() * 0.5).astype(np.float32), RATE)
    return path, siren


def test_form_offers_the_presets_and_its_values_run(qtbot, street_wav, job):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QComboBox

    from workbench.gui.param_form import ParamForm
    from workbench_plugins.sed import plugin
    from workbench_plugins.sed.manifest import MANIFEST

    form = ParamForm(MANIFEST.params)
    qtbot.addWidget(form)
    combo = form.findChild(QComboBox, "param_preset")
    assert [combo.itemText(i) for i in range(combo.count())] == list(MANIFEST.param("preset").choices)
    assert {"street", "domestic", "speech activity"} <= set(MANIFEST.param("preset").choices)
    form.set_value("preset", "street")
    values = form.values()
    assert values["preset"] == "street"
    path, siren = street_wav
    x, sr = sf.read(path, dtype="float32")
    ev = plugin.process(AudioBuffer(x, sr), values, job())[0]
    assert ev.metadata["classes"][:2] == ["Siren", "Car horn"]
    onsets = [a for a, lab in zip(ev.starts, ev.labels) if lab == "Siren"]
    assert onsets and min(abs(a - siren[0]) for a in onsets) <= 0.25, onsets


def test_cli_preset(street_wav, tmp_path):
    path, siren = street_wav
    out = tmp_path / "events.csv"
    exe = [str(WORKBENCH)] if WORKBENCH.is_file() else [sys.executable, "-m", "workbench"]
    r = subprocess.run([*exe, "analyze", str(path), "--plugin", "sed", "-P", "preset=street", "-P", "use_vad=false",
                        "--out", str(out)], capture_output=True, text=True, timeout=300,
                       env=os.environ | {"OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(out.open()))
    sirens = [row for row in rows[1:] if "Siren" in row]
    assert sirens, rows
    bad = subprocess.run([*exe, "analyze", str(path), "--plugin", "sed", "-P", "preset=jungle", "--out",
                          str(tmp_path / "x.csv")], capture_output=True, text=True, timeout=300)
    assert bad.returncode == 2 and "preset" in bad.stderr and "Traceback" not in bad.stderr
