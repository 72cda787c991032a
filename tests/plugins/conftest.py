"""Shared fixtures for the plugin tests: the model store (loaded models are cached in it for the whole
session) and job contexts on the best compute device."""

from __future__ import annotations

import os

import pytest

from workbench.core.devices import best_compute_device
from workbench.core.models import default_store
from workbench.core.plugin_api import JobContext


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    """Tests share their CPU cores with other processes; with several intra-op threads OpenMP spin-waits
    on busy cores and small models run ten times slower. WORKBENCH_TEST_TORCH_THREADS overrides."""
    try:
        import torch
    except ImportError:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(int(os.environ.get("WORKBENCH_TEST_TORCH_THREADS", "1")))
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="session")
def store():
    """The process-wide model store, so a model loaded by one test module is reused by the next."""
    return default_store()


@pytest.fixture(scope="session")
def device() -> str:
    return best_compute_device()


@pytest.fixture(scope="session")
def job(store, device):
    """A factory of job contexts on the best device with the shared model store: ``job(**JobContext fields)``."""

    def make(**kw):
        return JobContext(device=device, models=store, **kw)

    return make


@pytest.fixture
def ctx(store, device) -> JobContext:
    """A fresh job context (cuda when present, else cpu) recording its progress reports in ``ctx.reports``."""
    reports: list[tuple[float, str]] = []
    context = JobContext(device=device, models=store, on_progress=lambda f, t: reports.append((f, t)))
    context.reports = reports
    return context
