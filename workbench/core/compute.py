"""Where inference really runs: GPU runtimes, CUDA failures and the fall-back to the CPU.

One GPU runtime for everything: torch's CUDA 13 libraries. onnxruntime-gpu (CUDA 13 build) uses them once torch
is imported; CTranslate2 (faster-whisper) is built for CUDA 12 and needs ``libcublas.so.12``, which the
``nvidia-cublas-cu12`` wheel provides and :func:`preload_cuda12_blas` loads before a CUDA model is made.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

_CUDA_WORDS = ("cuda", "nvidia", "cublas", "cudnn", "cufft", "curand", "nvrtc", "device-side", "out of memory",
               "no kernel image", "executionprovider")


def is_out_of_memory(exc: BaseException) -> bool:
    """A GPU out-of-memory error from torch, onnxruntime or CTranslate2."""
    try:
        import torch

        if isinstance(exc, torch.cuda.OutOfMemoryError):
            return True
    except Exception:
        pass
    text = str(exc).lower()
    return "out of memory" in text and ("cuda" in text or "gpu" in text or "cublas" in text)


def is_cuda_failure(exc: BaseException) -> bool:
    """An error that comes from the GPU runtime (missing library, kernel, driver or memory), not from the input."""
    if is_out_of_memory(exc):
        return True
    if isinstance(exc, (OSError, RuntimeError, ValueError)) or type(exc).__module__.startswith("onnxruntime"):
        text = f"{type(exc).__name__} {exc}".lower()
        return any(w in text for w in _CUDA_WORDS)
    return False


def device_index(device: str) -> int:
    kind, _, index = str(device).partition(":")
    return int(index or 0) if kind == "cuda" else 0


def _site_packages() -> list[Path]:
    return [Path(p) for p in sys.path if p.endswith("site-packages")]


def preload_cuda12_blas() -> bool:
    """Load the CUDA 12 cuBLAS from the ``nvidia-cublas-cu12`` wheel so CTranslate2 finds it (True when loaded)."""
    for sp in _site_packages():
        lib = sp / "nvidia" / "cublas" / "lib"
        if (lib / "libcublas.so.12").exists():
            try:
                for name in ("libcublasLt.so.12", "libcublas.so.12"):
                    ctypes.CDLL(str(lib / name), mode=ctypes.RTLD_GLOBAL)
                return True
            except OSError as exc:
                log.warning("CUDA 12 cuBLAS could not be loaded: %s", exc)
                return False
    return False


def onnx_providers(device: str) -> list:
    """onnxruntime providers for ``device``: CUDA (on that GPU) then CPU, or the CPU alone."""
    import onnxruntime as ort

    if str(device).startswith("cuda"):
        try:
            import torch  # noqa: F401  -- loads the CUDA 13 libraries onnxruntime-gpu links against
        except Exception:
            pass
        if "CUDAExecutionProvider" in ort.get_available_providers():
            return [("CUDAExecutionProvider", {"device_id": device_index(device)}), "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]


def onnx_device(session, device: str) -> str:
    """The device an onnxruntime session really runs on ('cpu' when CUDA could not be used)."""
    return device if str(device).startswith("cuda") and "CUDAExecutionProvider" in session.get_providers() else "cpu"


def release_gpu_memory() -> None:
    """Give cached CUDA blocks back to the driver (after models were released)."""
    try:
        import torch

        if torch.cuda.is_available():
            torch.cuda.empty_cache()
    except Exception:
        pass


def gpu_memory_peak(device: str) -> float:
    """Peak GPU memory (MiB) torch allocated on ``device`` since the last reset; 0 on the CPU."""
    if not str(device).startswith("cuda"):
        return 0.0
    try:
        import torch

        return torch.cuda.max_memory_allocated(device_index(device)) / 2**20
    except Exception:
        return 0.0


def reset_gpu_peak(device: str) -> None:
    if str(device).startswith("cuda"):
        try:
            import torch

            torch.cuda.reset_peak_memory_stats(device_index(device))
        except Exception:
            pass

