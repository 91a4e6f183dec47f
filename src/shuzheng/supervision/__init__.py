"""supervision (L3): see README.md for what this module owns."""
