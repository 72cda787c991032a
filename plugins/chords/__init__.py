"""Chord recognition (Harte labels)."""
