"""Built-in plugins, installed as the `workbench_plugins` package (one sub-package per plugin)."""
