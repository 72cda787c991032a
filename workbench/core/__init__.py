"""Qt-free core: audio buffers and I/O, result layers, plugin API, jobs, model store, export.

Nothing under ``workbench.core`` may import Qt; the GUI and the CLI both build on it.
"""
