"""Batch and catalogue-scale speed: files/s of `workbench batch` with 1 and 2 local workers and with Ray, and a
synthetic 1,000,000-track FAISS cover index (query time, recall@10 against exact search, memory).

    python benchmarks/bench_batch.py                      # everything (a few minutes on 2 cores)
    python benchmarks/bench_batch.py --skip-ray --tracks 200000

Each worker gets --threads compute threads (default 1). Baselines: files/s against 1 local worker; Ray
against the local pool with the same number of workers; the index against exact cosine search (numpy, what the
library uses below ~20,000 tracks). Rates are steady-state (from the moment every worker has finished its first
file, i.e. loaded its models, to the last file), so start-up is reported apart. At the end, an estimate of
a 100-node Ray cluster from the measured per-worker rate and Ray's measured overhead.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workbench.batch import BatchOptions, run_batch  # noqa: E402
from workbench.batch.jobdb import DB_NAME, JobDB, Record  # noqa: E402


def make_collection(folder: Path, files: int, seconds: float, sr: int = 16000) -> None:
    import soundfile as sf

    rng = np.random.default_rng(0)
    t = np.arange(int(seconds * sr)) / sr
    for n in range(files):
        f0 = rng.uniform(120, 600) * 2 ** (0.3 * np.sin(2 * np.pi * 0.5 * t))
        phase = 2 * np.pi * np.cumsum(f0) / sr
        x = sum(0.6 ** k * np.sin((k + 1) * phase) for k in range(5))
        sf.write(folder / f"take_{n:03d}.wav", (0.3 * x / np.abs(x).max()).astype(np.float32), sr)


def timed_batch(folder: Path, out: Path, workers: int, engine: str) -> dict:
    t0 = time.perf_counter()
    devnull = open(os.devnull, "w")
    summary = run_batch(BatchOptions(folder=folder, out_dir=out, plugin="pitch", fmt="csv", workers=workers,
                                     engine=engine, progress=False, table="none"), out=devnull, err=devnull)
    wall = time.perf_counter() - t0
    with sqlite3.connect(out / DB_NAME) as db:
        ends = sorted(r[0] for r in db.execute("SELECT finished FROM inputs WHERE status='done'"))
    assert len(summary.done) == len(ends) and not summary.failed, summary.failed
    # steady state: from the moment every worker has finished its first file (models loaded) to the last file
    w = summary.workers
    steady = (len(ends) - w) / max(ends[-1] - ends[w - 1], 1e-9)
    return {"wall": wall, "files": len(ends), "steady": steady, "startup": wall - len(ends) / steady}


def bench_files(args) -> dict:
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        make_collection(folder, args.files, args.seconds)
        runs = [("local", 1), ("local", 2)] + ([] if args.skip_ray else [("ray", 2)])
        for engine, workers in runs:
            r = timed_batch(folder, Path(tmp) / f"out_{engine}_{workers}", workers, engine)
            results[(engine, workers)] = r
    base = results[("local", 1)]["steady"]
    print(f"\n## Batch: pitch (fcpe) on {args.files} files of {args.seconds:g} s, files/s "
          f"(baseline: 1 local worker)")
    print(f"{'engine':8s} {'workers':>7s} {'files/s':>8s} {'x base':>7s} {'wall s':>7s} {'start-up s':>10s}")
    for (engine, workers), r in results.items():
        print(f"{engine:8s} {workers:7d} {r['steady']:8.2f} {r['steady'] / base:7.2f} {r['wall']:7.1f} "
              f"{r['startup']:10.1f}")
    if ("ray", 2) in results:
        ratio = results[("local", 2)]["steady"] / results[("ray", 2)]["steady"]
        print(f"Ray overhead (local pool files/s / Ray files/s, 2 workers each): {ratio:.2f}x")
    return results


def bench_engine_overhead(args) -> dict:
    """Per-file cost of the engines themselves: a task that only reads the file (no model), 2 workers each."""
    from workbench.batch.local_engine import LocalEngine

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        make_collection(Path(tmp), 1, args.seconds)
        path = str(next(Path(tmp).glob("*.wav")))
        tasks = [(n, "workbench.batch.worker:probe_task", {"path": path, "staging": tmp}) for n in range(args.probes)]
        engines = [("local", lambda: LocalEngine(2, "cpu", 1))]
        if not args.skip_ray:
            from workbench.batch.ray_engine import RayEngine

            engines.append(("ray", lambda: RayEngine(None, 2, False, 1)))
        for name, make in engines:
            t0 = time.perf_counter()
            engine = make()
            list(engine.run(tasks[:4]))  # warm
            start = time.perf_counter() - t0
            t0 = time.perf_counter()
            results = list(engine.run(tasks))
            per = (time.perf_counter() - t0) / len(results)
            engine.close()
            assert all(r["ok"] for _, r in results)
            out[name] = {"per_task_ms": 1000 * per, "startup": start}
    print(f"\n## Engine overhead: {args.probes} tasks that only read a {args.seconds:g} s WAV, 2 workers "
          f"(baseline: the local pool)")
    print(f"{'engine':8s} {'ms/file':>8s} {'x local':>8s} {'start-up s':>10s}")
    for name, r in out.items():
        print(f"{name:8s} {r['per_task_ms']:8.2f} {r['per_task_ms'] / out['local']['per_task_ms']:8.2f} "
              f"{r['startup']:10.1f}")
    return out


def bench_db_commits(n: int = 2000) -> float:
    """Finished files the job database records per second (the main process's ceiling)."""
    with tempfile.TemporaryDirectory() as tmp:
        db = JobDB(Path(tmp))
        t0 = time.perf_counter()
        for i in range(n):
            db.put(Record(rel=f"f{i}.wav", status="writing", outputs=[f"f{i}.csv"]), own=[f"f{i}.csv"])
            db.put(Record(rel=f"f{i}.wav", status="done", outputs=[f"f{i}.csv"]))
        db.close()
        return n / (time.perf_counter() - t0)


def synthetic_embeddings(n: int, dim: int, seed: int = 0) -> np.ndarray:
    """Clustered unit vectors like real chroma embeddings (songs of a style sit near each other): 2,000 style
    centres in a 32-dimensional subspace plus per-track noise. Uniform random vectors have no such structure
    and are the worst case for every ANN index; real embeddings are not like that."""
    rng = np.random.default_rng(seed)
    basis = np.linalg.qr(rng.standard_normal((dim, 32)))[0].T.astype(np.float32)  # (32, dim)
    centres = rng.standard_normal((2000, 32)).astype(np.float32)
    out = np.empty((n, dim), np.float32)
    step = 100_000
    for a in range(0, n, step):
        b = min(n, a + step)
        which = rng.integers(0, len(centres), b - a)
        low = centres[which] + 0.5 * rng.standard_normal((b - a, 32)).astype(np.float32)
        out[a:b] = low @ basis + 0.15 * rng.standard_normal((b - a, dim)).astype(np.float32)
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def bench_index(args) -> None:
    from workbench_plugins.cover_search.ann_index import AnnIndex, cluster_count
    from workbench_plugins.cover_search.features import EMBEDDING_DIM
    from workbench_plugins.cover_search.search import CosineIndex

    n, dim = args.tracks, EMBEDDING_DIM
    t0 = time.perf_counter()
    vectors = synthetic_embeddings(n, dim)
    rng = np.random.default_rng(1)
    picks = rng.choice(n, args.queries, replace=False)  # queries: perturbed library tracks (a cover of each)
    queries = vectors[picks] + 0.3 * rng.standard_normal((args.queries, dim)).astype(np.float32) / np.sqrt(dim)
    print(f"\n## Cover index: {n:,} synthetic tracks x {dim} dims, {args.queries} queries "
          f"(made in {time.perf_counter() - t0:.0f} s; baseline: exact cosine search)")
    exact = CosineIndex()
    exact.build(np.arange(n), vectors)
    t0 = time.perf_counter()
    truth = [exact.search(q, 10)[0] for q in queries]
    exact_ms = 1000 * (time.perf_counter() - t0) / len(queries)
    print(f"{'index':26s} {'build s':>8s} {'query ms':>9s} {'recall@10':>9s} {'memory MB':>9s}")
    print(f"{'exact (numpy)':26s} {'-':>8s} {exact_ms:9.2f} {1.0:9.3f} {vectors.nbytes / 2**20:9.0f}")
    for quantise in (True, False):
        t0 = time.perf_counter()
        ann = AnnIndex(dim, cluster_count(n), quantise=quantise)
        ann.train(vectors)
        for a in range(0, n, 200_000):  # added in parts, as a library grows
            ann.add(np.arange(a, min(n, a + 200_000)), vectors[a:a + 200_000])
        build = time.perf_counter() - t0
        for nprobe in args.nprobe:
            ann.index.nprobe = nprobe
            ann.search(queries[0], 10)
            t0 = time.perf_counter()
            found = [ann.search(q, 10)[0] for q in queries]
            ms = 1000 * (time.perf_counter() - t0) / len(queries)
            recall = np.mean([len(set(f.tolist()) & set(t.tolist())) / 10 for f, t in zip(found, truth)])
            name = f"IVF{ann.nlist},{'SQ8' if quantise else 'Flat'} nprobe={nprobe}"
            print(f"{name:26s} {build:8.1f} {ms:9.2f} {recall:9.3f} {ann.memory_bytes() / 2**20:9.0f}")
        del ann
    print("Goal: query < 100 ms with recall@10 >= 0.95 (the library uses IVF,SQ8 with nprobe=32).")


def estimate(results: dict, overhead: dict, commits_per_s: float, args) -> None:
    per_worker = results[("local", 1)]["steady"]
    file_s = 1.0 / per_worker  # seconds a worker spends on one file
    ray_ms = overhead.get("ray", {}).get("per_task_ms")
    # Ray's extra cost per file (measured without a model) added to each file's compute time; a cluster also
    # ships each file from the driver, counted separately below.
    extra = max(0.0, (ray_ms - overhead["local"]["per_task_ms"]) / 1000) if ray_ms else 0.0
    efficiency = file_s / (file_s + extra)
    nodes, cores = 100, args.cores_per_node
    compute = nodes * cores * per_worker * efficiency
    mb_per_file = args.seconds * 16000 * 2 / 2**20  # 16-bit mono WAV at 16 kHz
    driver = args.driver_mb_s / mb_per_file  # the driver ships every file's bytes
    reach = min(compute, driver, commits_per_s)
    limit = "compute" if reach == compute else ("the driver's network" if reach == driver else "the job database")
    print(f"\n## Estimate: a 100-node Ray cluster ({cores} CPU workers a node)")
    print(f"per-worker rate (1 local worker, steady): {per_worker:.2f} files/s of {args.seconds:g} s audio")
    print(f"Ray's extra cost: {1000 * extra:.1f} ms a file{'' if ray_ms else ' (Ray not measured)'} -> "
          f"efficiency {efficiency:.3f}")
    print(f"compute bound: {nodes} x {cores} x {per_worker:.2f} x {efficiency:.2f} = {compute:,.0f} files/s")
    if ("ray", 2) in results:  # end to end here Ray's own daemons also share the cores: the pessimistic case
        e2e = min(1.0, results[("ray", 2)]["steady"] / results[("local", 2)]["steady"])
        print(f"  pessimistic (end-to-end Ray/local ratio here, {e2e:.2f}): {nodes * cores * per_worker * e2e:,.0f}"
              " files/s")
    print(f"driver bound:  {args.driver_mb_s:g} MB/s / {mb_per_file:.2f} MB a file = {driver:,.0f} files/s")
    print(f"job database:  {commits_per_s:,.0f} commits/s measured here")
    print(f"=> about {reach:,.0f} files/s ({reach * args.seconds / 3600:,.0f} hours of audio per second of "
          f"wall time), limited by {limit}. On 2-core-shared hardware the per-worker rate is pessimistic; "
          f"workers' model loading (start-up above) is paid once per worker.")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--files", type=int, default=16)
    p.add_argument("--seconds", type=float, default=5.0, help="length of each generated file")
    p.add_argument("--tracks", type=int, default=1_000_000)
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--nprobe", type=int, nargs="+", default=[16, 32, 64])
    p.add_argument("--cores-per-node", type=int, default=16)
    p.add_argument("--driver-mb-s", type=float, default=1000.0, help="assumed driver network bandwidth")
    p.add_argument("--probes", type=int, default=300, help="tasks in the engine-overhead run")
    p.add_argument("--threads", type=int, default=1, help="compute threads per worker")
    p.add_argument("--skip-ray", action="store_true")
    p.add_argument("--skip-files", action="store_true")
    p.add_argument("--skip-index", action="store_true")
    args = p.parse_args()
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    # One compute thread per worker, so that N workers use N cores in every row (the batch honours it)
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machines: rates vary)")
    results = None
    if not args.skip_files:
        results = bench_files(args)
    overhead = bench_engine_overhead(args)
    commits = bench_db_commits()
    print(f"\njob database: {commits:,.0f} finished files recorded per second")
    if not args.skip_index:
        bench_index(args)
    if results:
        estimate(results, overhead, commits, args)


if __name__ == "__main__":
    main()
