"""The ``workbench`` command line (no Qt): the entry point, built-in sub-commands, and plugin-contributed ones."""

from .main import main

__all__ = ["main"]
