"""Speech recognition (faster-whisper; torchaudio wav2vec2 CTC when downloaded)."""
