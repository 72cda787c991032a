"""Beats, tempo, meter and downbeats."""
