"""Compute devices (cuda when present, else cpu) and audio devices, for plugins, the CLI and the GUI."""

from __future__ import annotations

import os
from dataclasses import dataclass


def best_compute_device(preference: str | None = None) -> str:
    """'cuda' when a CUDA GPU is usable, else 'cpu'. ``preference`` (or WORKBENCH_DEVICE) can force one."""
    preference = preference or os.environ.get("WORKBENCH_DEVICE") or "auto"
    if preference != "auto":
        if preference.startswith("cuda") and not cuda_available():
            return "cpu"
        return preference
    return "cuda" if cuda_available() else "cpu"


def cuda_available() -> bool:
    try:
        import torch

        return bool(torch.cuda.is_available())
    except Exception:
        return False


def compute_devices() -> list[dict]:
    """Every compute device torch can use, with a name and memory (GiB) for GPUs."""
    out = [{"id": "cpu", "name": f"CPU ({os.cpu_count()} cores)"}]
    try:
        import torch

        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            out.append({"id": f"cuda:{i}", "name": p.name, "memory_gib": round(p.total_memory / 2**30, 1)})
    except Exception:
        pass
    return out


@dataclass(frozen=True)
class AudioDevice:
    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool = False
    is_default_output: bool = False


def audio_devices() -> tuple[list[AudioDevice], str]:
    """(devices, problem). ``problem`` is '' when PortAudio answered, else a readable reason."""
    try:
        import sounddevice as sd
    except OSError as exc:  # PortAudio library missing
        return [], f"PortAudio is not installed ({exc}); install libportaudio2"
    try:
        devs = sd.query_devices()
        apis = sd.query_hostapis()
        default_in, default_out = sd.default.device
    except Exception as exc:
        return [], f"audio devices could not be listed: {exc}"
    out = []
    for i, d in enumerate(devs):
        out.append(AudioDevice(
            i, d["name"], apis[d["hostapi"]]["name"], d["max_input_channels"], d["max_output_channels"],
            d["default_samplerate"], i == default_in, i == default_out,
        ))
    return out, ""
