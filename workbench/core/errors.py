"""Error types whose message is meant for the user (shown in a dialog or printed by the CLI)."""

from __future__ import annotations


class WorkbenchError(Exception):
    """An error with a clear, user-facing message; the host shows it instead of a traceback."""


class AudioLoadError(WorkbenchError):
    """A file could not be opened as audio. The message names the file and the reason."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"Cannot open '{self.path}': {reason}")


class InvalidParameterError(WorkbenchError):
    """A plugin parameter was missing, of the wrong type or out of range."""


class PluginError(WorkbenchError):
    """A plugin failed; wraps the original exception with the plugin's id."""

    def __init__(self, plugin_id: str, message: str):
        self.plugin_id = plugin_id
        super().__init__(f"Plugin '{plugin_id}' failed: {message}")


class ModelUnavailableError(WorkbenchError):
    """A model's weights are not on this machine and cannot be fetched right now."""


class JobCancelled(Exception):
    """Raised inside a job when the user cancelled it (not an error: the job just stops)."""
