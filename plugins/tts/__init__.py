"""Text to speech (Piper VITS voices; torchaudio Tacotron2 + WaveRNN when downloaded)."""
