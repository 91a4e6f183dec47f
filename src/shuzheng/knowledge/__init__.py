"""knowledge (L2): see README.md for what this module owns."""
