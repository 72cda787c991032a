"""Musical key and key changes."""
