"""Cover-song search: a chroma library in SQLite, 2D-Fourier embeddings for retrieval, Qmax re-ranking."""
