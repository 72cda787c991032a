"""Packages and built-in plugin entry points are computed from the tree, so adding a plugin folder is enough."""

from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
plugin_pkgs = find_packages(str(HERE / "plugins"))
builtin_plugins = sorted(p for p in plugin_pkgs if "." not in p and (HERE / "plugins" / p / "manifest.py").exists())

setup(
    packages=find_packages(include=["workbench", "workbench.*"])
    + ["workbench_plugins"] + [f"workbench_plugins.{p}" for p in plugin_pkgs] + ["workbench_resources"],
    # resources/ (icon, models the project made) installs as package data of `workbench_resources`
    package_dir={"workbench_plugins": "plugins", "workbench_resources": "resources"},
    package_data={"workbench_resources": ["app/*", "models/*", "examples/*"]},
    entry_points={
        "console_scripts": ["workbench = workbench.cli:main"],
        "workbench.plugins": [f"{p} = workbench_plugins.{p}.manifest:MANIFEST" for p in builtin_plugins],
        # plugin folders added to a checkout after installing are found too
        "workbench.plugin_packages": ["builtin = workbench_plugins"],
    },
)
