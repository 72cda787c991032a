"""Models the enhance plugin can use (light: no heavy imports)."""

import platform

from workbench.core.models import ModelSpec

# pyrnnoise ships RNNoise (its weights compiled in) as one shared library per platform.
_LIBRARY = {"Darwin": "librnnoise.dylib", "Windows": "rnnoise.dll"}.get(platform.system(), "librnnoise.so")
_LINUX_SHA = "de5120abce147a72ba343296744ae7cc0a97298e19307c7d3f01cce8c34b18ff"

MODELS = [
    ModelSpec(
        id="rnnoise", task="enhancement", name="RNNoise (Valin 2018), speech denoising at 48 kHz",
        licence="BSD-3-Clause (RNNoise); Apache-2.0 (pyrnnoise build)", files=(_LIBRARY,),
        sha256={_LIBRARY: _LINUX_SHA} if _LIBRARY == "librnnoise.so" else {},
        package="pyrnnoise", package_path="", pip_name="pyrnnoise==0.4.5 --no-deps", size_mb=14.2,
        homepage="https://github.com/xiph/rnnoise", used_by=("enhance", "live clean-speech monitor"),
        notes="Frames of 480 samples (10 ms) at 48 kHz; the network is compiled into the library, called "
              "through ctypes by the workbench (the pyrnnoise Python wrapper is not imported).",
    ),
]
