"""DDSP timbre transfer: harmonic + filtered-noise + reverb synthesis driven by f0 and loudness."""
