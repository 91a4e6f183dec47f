"""Writes of 一网统管, one file per topic: ``readings`` (ingest and threshold evaluation),
``alerts`` (raise, confirm, clear), ``computed`` (indicators the platform computes itself).
Each public function is keyword-only, runs in one transaction and audits what it changes."""
