"""Polyphonic note transcription (Basic Pitch on onnxruntime)."""
