"""Audio Workbench: look at, listen to and transform audio with deep-learning plugins."""

__version__ = "0.1.0"
