"""A third-party plugin the host knows nothing about: it contributes a process, a layer kind with its renderer
and an exporter, a CLI command and a dialog, all through its manifest."""
