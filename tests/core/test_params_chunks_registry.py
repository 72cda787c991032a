"""Parameters, chunking and plugin discovery."""

import numpy as np
import pytest

from workbench.core.chunks import iter_chunks, keep_frames
from workbench.core.errors import InvalidParameterError, WorkbenchError
from workbench.core.params import Bool, Choice, Float, Int, Text, parse_cli_params, resolve_params
from workbench.core.plugin_api import PluginManifest
from workbench.core.registry import PluginRegistry, default_registry

SPECS = (Float("fmin", 50.0, range=(20, 2000), unit="Hz"), Int("k", 3, range=(1, 10)), Bool("flag", False),
         Choice("model", "a", choices=("a", "b")), Text("text", ""))


def test_resolve_fills_defaults_and_validates():
    assert resolve_params(SPECS, {"k": 5}) == {"fmin": 50.0, "k": 5, "flag": False, "model": "a", "text": ""}
    with pytest.raises(InvalidParameterError, match="outside 20..2000Hz"):
        resolve_params(SPECS, {"fmin": 10})
    with pytest.raises(InvalidParameterError, match="one of a, b"):
        resolve_params(SPECS, {"model": "c"})
    with pytest.raises(InvalidParameterError, match="whole number"):
        resolve_params(SPECS, {"k": 2.5})


def test_cli_pairs():
    got = parse_cli_params(SPECS, ["fmin=100", "flag=yes", "model=b", "text=a=b"])
    assert got["fmin"] == 100.0 and got["flag"] is True and got["model"] == "b" and got["text"] == "a=b"
    with pytest.raises(InvalidParameterError, match="name=value"):
        parse_cli_params(SPECS, ["fmin"])
    with pytest.raises(InvalidParameterError, match="must be a number"):
        parse_cli_params(SPECS, ["fmin=abc"])


def test_chunks_cover_the_signal_once():
    sr, x = 100, np.arange(1050, dtype=np.float32)
    chunks = list(iter_chunks(x, sr, seconds=3.0, overlap=0.5))
    assert chunks[0].start == 0 and chunks[-1].end == len(x)
    assert all(len(c.samples) <= 300 for c in chunks)
    kept = np.concatenate([x[c.keep_start:c.keep_end] for c in chunks])
    assert np.array_equal(kept, x)  # kept parts tile the signal exactly
    times = np.arange(0, 10.5, 0.01)
    owners = sum(keep_frames(times, c).astype(int) for c in chunks)
    assert np.all(owners == 1)


def test_short_signal_is_one_chunk():
    (c,) = list(iter_chunks(np.zeros((2, 10)), 100, 3.0, 0.5))
    assert c.samples.shape == (2, 10) and c.count == 1


def test_builtin_plugins_are_discovered_without_importing_their_code():
    import subprocess
    import sys

    reg = PluginRegistry.discover()
    assert "pitch" in reg and "notes" in reg
    assert reg.get("pitch").outputs == ("curve",)
    with pytest.raises(WorkbenchError, match="No plugin called 'nope'"):
        reg.get("nope")
    # In a fresh process (other tests import plugin code here), discovery must import no plugin code and no torch.
    code = ("import sys; from workbench.core.registry import PluginRegistry; r = PluginRegistry.discover(); "
            "assert len(r) >= 10, len(r); heavy = [m for m in sys.modules if m == 'torch' or m.endswith('.plugin') "
            "or m == 'onnxruntime']; print(heavy); assert not heavy, heavy")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]


def test_manifest_rejects_unknown_output_kind():
    with pytest.raises(ValueError, match="unknown output"):
        PluginManifest(id="x", name="x", module="x", outputs=("pictures",))


def test_default_registry_is_shared():
    assert default_registry() is default_registry()
