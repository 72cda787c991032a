"""Model store offline: bundled models, parts joined from packages, import, verify, CLI."""

from __future__ import annotations

import argparse
import hashlib
import sys

import pytest

from workbench.cli import models as model_commands
from workbench.core.models import ModelChecksumError, ModelSpec, ModelStore, default_store, load_state_dict


def test_bundled_models_resolve_offline_with_matching_checksums():
    store = default_store()
    for model_id in ("whisper-tiny.en", "piper-joe-medium", "silero-vad"):
        folder, where = store.locate(model_id)
        assert where == "package", model_id
        assert store.verify(model_id) == [], model_id


def test_whisper_base_parts_are_joined_into_the_cache():
    store = default_store()
    folder, where = store.locate("whisper-base")
    assert where == "cache" and (folder / "model.bin").stat().st_size == 145_217_607
    assert store.verify("whisper-base") == []


@pytest.fixture()
def parts_package(tmp_path, monkeypatch):
    """A tiny installed package holding a file split in two parts."""
    pkg = tmp_path / "site" / "toyparts_pkg"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    whole = bytes(range(256)) * 100
    (pkg / "data" / "w.part1").write_bytes(whole[:10_000])
    (pkg / "data" / "w.part2").write_bytes(whole[10_000:])
    (pkg / "data" / "cfg.json").write_text('{"a": 1}')
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    yield whole
    sys.modules.pop("toyparts_pkg", None)


def _parts_spec(digest: str) -> ModelSpec:
    return ModelSpec(
        id="toyparts", task="test", name="Toy parts", licence="MIT", files=("w.bin", "cfg.json"),
        parts={"w.bin": ("toyparts_pkg:data/w.part1", "toyparts_pkg:data/w.part2"),
               "cfg.json": ("toyparts_pkg:data/cfg.json",)},
        sha256={"w.bin": digest}, pip_name="toyparts",
    )


def test_parts_join_once_with_checksum(parts_package, tmp_path):
    store = ModelStore([_parts_spec(hashlib.sha256(parts_package).hexdigest())], cache_dir=tmp_path / "c")
    folder, where = store.locate("toyparts")
    assert where == "cache" and (folder / "w.bin").read_bytes() == parts_package
    mtime = (folder / "w.bin").stat().st_mtime_ns
    store.locate("toyparts")
    assert (folder / "w.bin").stat().st_mtime_ns == mtime  # joined once, not again


def test_parts_with_wrong_checksum_are_refused(parts_package, tmp_path):
    store = ModelStore([_parts_spec("0" * 64)], cache_dir=tmp_path / "c")
    with pytest.raises(ModelChecksumError, match="Joining the parts"):
        store.locate("toyparts")
    assert not (tmp_path / "c" / "toyparts" / "w.bin").exists()


def _file_spec(data: bytes) -> ModelSpec:
    return ModelSpec(id="toy", task="test", name="Toy", licence="MIT", files=("weights.bin",),
                     sha256={"weights.bin": hashlib.sha256(data).hexdigest()})


def test_import_single_file_is_copied_and_preferred(tmp_path):
    data = b"toy weights" * 1000
    (tmp_path / "my-download.bin").write_bytes(data)
    store = ModelStore([_file_spec(data)], cache_dir=tmp_path / "c")
    assert not store.is_available("toy")
    store.import_model("toy", tmp_path / "my-download.bin")
    folder, where = store.locate("toy")
    assert where == "imported" and (folder / "weights.bin").read_bytes() == data
    # a second store on the same cache sees the import too (it is recorded on disk)
    assert ModelStore([_file_spec(data)], cache_dir=tmp_path / "c").locate("toy")[1] == "imported"


def test_import_folder_is_referenced(tmp_path):
    data = b"abc" * 10
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "weights.bin").write_bytes(data)
    store = ModelStore([_file_spec(data)], cache_dir=tmp_path / "c")
    assert store.import_model("toy", tmp_path / "mine") == (tmp_path / "mine").resolve()
    assert store.path("toy") == (tmp_path / "mine" / "weights.bin").resolve()


def test_import_of_wrong_file_is_refused(tmp_path):
    (tmp_path / "other.bin").write_bytes(b"something else")
    store = ModelStore([_file_spec(b"expected")], cache_dir=tmp_path / "c")
    with pytest.raises(ModelChecksumError, match="does not match"):
        store.import_model("toy", tmp_path / "other.bin")
    assert not store.is_available("toy")


def test_cli_import_list_verify(tmp_path, capsys):
    data = b"cli weights"
    (tmp_path / "w.bin").write_bytes(data)
    store = ModelStore([_file_spec(data)], cache_dir=tmp_path / "c")
    ns = argparse.Namespace
    assert model_commands.run(ns(models_command="import", model_id="toy", path=str(tmp_path / "w.bin")), store) == 0
    assert model_commands.run(ns(models_command="list"), store) == 0
    out = capsys.readouterr().out
    assert "toy" in out and "imported" in out
    assert model_commands.run(ns(models_command="verify", model_id=None), store) == 0
    (store.path("toy")).write_bytes(b"damaged")
    assert model_commands.run(ns(models_command="verify", model_id="toy"), store) == 1
    assert "does not match" in capsys.readouterr().out


def test_safe_loading_of_torch_and_safetensors(tmp_path):
    import torch
    from safetensors.torch import save_file

    state = {"w": torch.arange(6.0).reshape(2, 3)}
    torch.save(state, tmp_path / "w.pt")
    save_file(state, str(tmp_path / "w.safetensors"))
    assert torch.equal(load_state_dict(tmp_path / "w.pt")["w"], state["w"])
    assert torch.equal(load_state_dict(tmp_path / "w.safetensors")["w"], state["w"])

    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    torch.save({"x": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(Exception, match="[Ww]eights only"):
        load_state_dict(tmp_path / "evil.pt")


# ----- repair, honest verify, concurrent first use ------------------------------------------------------------
def test_damaged_joined_model_is_repaired_by_fetch_repair(parts_package, tmp_path, capsys):
    store = ModelStore([_parts_spec(hashlib.sha256(parts_package).hexdigest())], cache_dir=tmp_path / "c")
    good = store.path("toyparts")
    good.write_bytes(b"damaged on disk")
    with pytest.raises(ModelChecksumError, match="workbench models fetch toyparts --repair"):
        ModelStore([_parts_spec(hashlib.sha256(parts_package).hexdigest())], cache_dir=tmp_path / "c").path("toyparts")
    ns = argparse.Namespace
    capsys.readouterr()
    assert model_commands.run(ns(models_command="fetch", model_id="toyparts", repair=False), store) == 1
    out = capsys.readouterr().out
    assert "damaged" in out and "--repair" in out and "already present" not in out
    assert model_commands.run(ns(models_command="fetch", model_id="toyparts", repair=True), store) == 0
    assert good.read_bytes() == parts_package
    assert model_commands.run(ns(models_command="verify", model_id="toyparts", repair=False), store) == 0
    assert "ok (1 file checked)" in capsys.readouterr().out
    good.write_bytes(b"damaged again")
    assert model_commands.run(ns(models_command="verify", model_id="toyparts", repair=True), store) == 0
    assert good.read_bytes() == parts_package


def test_damage_inside_a_package_is_named_not_repaired(parts_package, tmp_path):
    pkg_spec = ModelSpec(id="inpkg", task="test", name="In package", licence="MIT", files=("cfg.json",),
                         sha256={"cfg.json": "0" * 64}, package="toyparts_pkg", package_path="data",
                         pip_name="toyparts")
    store = ModelStore([pkg_spec], cache_dir=tmp_path / "c")
    with pytest.raises(ModelChecksumError, match="pip install --force-reinstall toyparts"):
        store.repair("inpkg")
    assert (tmp_path / "site" / "toyparts_pkg" / "data" / "cfg.json").read_text() == '{"a": 1}'  # untouched


def test_verify_does_not_say_ok_when_nothing_was_checked(tmp_path, capsys):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "weights.bin").write_bytes(b"no published checksum")
    spec = ModelSpec(id="nosum", task="test", name="No sum", licence="MIT", files=("weights.bin",))
    store = ModelStore([spec], cache_dir=tmp_path / "c")
    store.import_model("nosum", tmp_path / "mine")
    assert model_commands.run(argparse.Namespace(models_command="verify", model_id=None), store) == 0
    out = capsys.readouterr().out
    assert "nosum: present, not checked" in out and ": ok" not in out


def _first_use(cache_dir: str, site: str, digest: str, barrier, results) -> None:
    sys.path.insert(0, site)
    store = ModelStore([_big_parts_spec(digest)], cache_dir=cache_dir)
    barrier.wait()
    try:
        path = store.path("bigparts")
        results.put(("ok", hashlib.sha256(path.read_bytes()).hexdigest()))
    except Exception as exc:  # noqa: BLE001  (reported to the parent, which fails the test)
        results.put(("error", f"{type(exc).__name__}: {exc}"))


def _big_parts_spec(digest: str) -> ModelSpec:
    return ModelSpec(id="bigparts", task="test", name="Big parts", licence="MIT", files=("w.bin",),
                     parts={"w.bin": tuple(f"bigparts_pkg:p{i}" for i in range(3))}, sha256={"w.bin": digest})


def test_concurrent_first_use_from_three_processes(tmp_path):
    """Three processes join the same model at the same moment: all get the whole, checked file."""
    import multiprocessing

    pkg = tmp_path / "site" / "bigparts_pkg"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    rng = __import__("numpy").random.default_rng(3)
    parts = [rng.integers(0, 256, 6_000_000, dtype="uint8").tobytes() for _ in range(3)]
    for i, part in enumerate(parts):
        (pkg / f"p{i}").write_bytes(part)
    digest = hashlib.sha256(b"".join(parts)).hexdigest()
    ctx = multiprocessing.get_context("spawn")  # a clean interpreter each, as separate app starts are
    for round_ in range(2):
        cache = tmp_path / f"cache{round_}"
        barrier, results = ctx.Barrier(3), ctx.Queue()
        procs = [ctx.Process(target=_first_use, args=(str(cache), str(tmp_path / "site"), digest, barrier, results))
                 for _ in range(3)]
        for p in procs:
            p.start()
        outcomes = [results.get(timeout=120) for _ in procs]
        for p in procs:
            p.join(30)
        assert outcomes == [("ok", digest)] * 3, outcomes
        assert sorted(f.name for f in (cache / "bigparts").iterdir()) == ["w.bin"]  # no half files left
