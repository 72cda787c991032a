"""Monophonic f0 tracking (torchfcpe, torchcrepe)."""
