"""Voice activity detection (Silero VAD on ONNX Runtime)."""
