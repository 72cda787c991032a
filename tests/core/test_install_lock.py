"""The lock (requirements.lock) is what gets installed, and it agrees with pyproject.toml."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if m:
            pins[canonicalize_name(m.group(1))] = m.group(2)
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [Requirement(r) for r in project["dependencies"]]
    for extra in project.get("optional-dependencies", {}).values():
        reqs += [Requirement(r) for r in extra]
    nodeps = (ROOT / "requirements-nodeps.in").read_text().splitlines()
    reqs += [Requirement(r.split("#")[0]) for r in nodeps if r.split("#")[0].strip()]
    return reqs


def test_every_declared_dependency_is_locked_at_a_version_it_allows():
    pins, env = locked(), dict(default_environment())
    bad = []
    for req in declared():
        if req.marker and not req.marker.evaluate(env):
            continue  # another platform's dependency (e.g. the CPU onnxruntime outside Linux x86-64)
        name = canonicalize_name(req.name)
        if name not in pins:
            bad.append(f"{req} is not in requirements.lock (run `make lock`)")
        elif not req.specifier.contains(pins[name], prereleases=True):
            bad.append(f"{req} but the lock has {pins[name]} (run `make lock`)")
    assert not bad, "\n".join(bad)


def test_every_locked_line_has_hashes_and_torch_moves_with_torchaudio():
    text = (ROOT / "requirements.lock").read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    for block in blocks:
        if re.match(r"^[A-Za-z0-9].*==", block):
            assert "--hash=sha256:" in block, block.splitlines()[0]
    pins = locked()
    assert pins["torch"].rsplit(".", 1)[0] == pins["torchaudio"].rsplit(".", 1)[0]
    torch_req = next(r for r in declared() if canonicalize_name(r.name) == "torch")
    assert str(torch_req.specifier).startswith("=="), "torch must be pinned exactly in pyproject.toml"


def test_the_environment_is_the_lock():
    """What is installed is exactly what the lock says (a hand-installed upgrade shows here)."""
    wrong = []
    for name, pinned in locked().items():
        try:
            have = version(name)
        except PackageNotFoundError:
            wrong.append(f"{name}=={pinned} is not installed")
            continue
        if have.split("+")[0] != pinned.split("+")[0]:
            wrong.append(f"{name}: installed {have}, locked {pinned}")
    assert not wrong, "\n".join(wrong)
