"""The Ray engine: the same tasks as the local engine, run by long-lived Ray actors (one model copy each).

Without an address a local Ray is started (``--workers`` CPUs); with ``--address HOST:PORT`` or ``auto`` the
batch joins a running cluster. When the cluster has GPUs and the plugin uses them, each actor takes one GPU.
Input files travel to the actors as bytes through Ray's object store and results come back as bytes, so the
nodes need the workbench installed but no shared file system; the main process keeps the job database.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator

from workbench.core.errors import WorkbenchError

Task = tuple[object, str, dict]


def import_ray():
    try:
        import ray
    except ImportError:
        raise WorkbenchError("The Ray engine needs Ray: pip install 'audio-workbench[ray]' "
                             "(or run without --engine ray)") from None
    return ray


class BatchActor:
    """Runs task functions on files shipped as bytes; returns the written files as bytes."""

    def __init__(self, device: str, threads: int):
        from .worker import init_worker

        init_worker(threads)
        self.device = device

    def run(self, fn_name: str, payload: dict, data: bytes) -> dict:
        from .worker import resolve

        tmp = Path(tempfile.mkdtemp(prefix="workbench-ray-"))
        try:
            src = tmp / "in" / Path(payload["path"]).name  # same file name: same format detection and title
            src.parent.mkdir()
            src.write_bytes(data)
            staging = tmp / "out"
            staging.mkdir()
            result = resolve(fn_name)(payload | {"path": str(src), "staging": str(staging), "device": self.device})
            if "error" in result:  # name the user's file, not the actor's copy
                result["error"] = result["error"].replace(str(src), payload["path"])
            result["blobs"] = {f: (staging / f).read_bytes() for f in result.get("files", [])}
            return result
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


class RayEngine:
    name = "ray"

    def __init__(self, address: str | None, workers: int | None, uses_gpu: bool, threads: int | None = None):
        ray = import_ray()
        self.ray = ray
        self.started = not ray.is_initialized()
        if self.started:
            kw = dict(include_dashboard=False, log_to_driver=False, configure_logging=False)
            try:
                if address:
                    ray.init(address=address, **kw)
                else:
                    ray.init(num_cpus=workers or os.cpu_count(), **kw)
            except Exception as exc:  # no cluster at that address, version mismatch ...
                raise WorkbenchError(f"Cannot start or join Ray{f' at {address}' if address else ''}: "
                                     f"{type(exc).__name__}: {exc}") from None
        res = ray.cluster_resources()
        gpus, cpus = int(res.get("GPU", 0)), max(1, int(res.get("CPU", 1)))
        self.gpu = uses_gpu and gpus > 0
        self.size = workers or (gpus if self.gpu else cpus)
        self.threads = threads or (1 if address else max(1, (os.cpu_count() or 1) // self.size))  # 1 CPU per actor
        self.actors = [self._new_actor() for _ in range(self.size)]
        self.device = "cuda (one GPU per actor)" if self.gpu else "cpu"

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[object, dict]]:
        ray = self.ray
        pending = list(tasks)[::-1]
        idle = list(self.actors)
        running: dict = {}  # object ref -> (key, actor, payload)
        while pending or running:
            while idle and pending:
                key, fn, payload = pending.pop()
                try:
                    data = Path(payload["path"]).read_bytes()
                except OSError as exc:
                    yield key, {"ok": False, "error": f"Cannot read '{payload['path']}': {exc.strerror}"}
                    continue
                actor = idle.pop()
                running[actor.run.remote(fn, payload, data)] = (key, actor, payload)
            if not running:
                continue
            done, _ = ray.wait(list(running), num_returns=1)
            for ref in done:
                key, actor, payload = running.pop(ref)
                idle.append(actor)
                try:
                    result = ray.get(ref)
                except Exception as exc:  # the actor died (node lost, out of memory)
                    result = {"ok": False, "error": f"the Ray worker failed on this file: {type(exc).__name__}"}
                    idle.remove(actor)
                    idle.append(self._replace(actor))
                if result.get("ok"):
                    staging = Path(payload["staging"])
                    for rel, blob in result.pop("blobs").items():
                        (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                        (staging / rel).write_bytes(blob)
                yield key, result

    def _new_actor(self):
        cls = self.ray.remote(num_gpus=1, num_cpus=1)(BatchActor) if self.gpu else \
            self.ray.remote(num_cpus=1)(BatchActor)
        return cls.remote("cuda" if self.gpu else "cpu", self.threads)

    def _replace(self, dead):
        i = self.actors.index(dead)
        self.actors[i] = self._new_actor()
        return self.actors[i]

    def close(self, kill: bool = False) -> None:
        for a in self.actors:
            try:
                self.ray.kill(a)
            except Exception:
                pass
        if self.started:
            self.ray.shutdown()
