"""Reads of 一网统管, scoped to the caller, one file per topic: ``access`` (who sees which
indicators, districts and alerts), ``indicators`` (tiles, series), ``alerts``."""
