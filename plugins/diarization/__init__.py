"""Speaker diarization: who spoke when (speaker embeddings on the VAD's speech regions, clustered)."""
