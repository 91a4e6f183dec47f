"""Tests of this module, mirroring its files."""
