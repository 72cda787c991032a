"""Qt user interface of the workbench (PySide6 + pyqtgraph). Entry point: :func:`workbench.gui.app.run_app`."""
