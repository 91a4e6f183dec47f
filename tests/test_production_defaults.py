"""The tests run what production runs: on PostgreSQL the audit chain and the texts of
notifications are deferred (``shuzheng serve`` seals and texts them in batches), on SQLite inline
— the same defaults as a deployment on that database. A test of the other mode says so itself."""

from django.conf import settings
from django.db import connection


def test_the_suite_runs_the_databases_production_defaults():
    expected = "inline" if connection.vendor == "sqlite" else "deferred"
    assert (expected, expected) == (settings.AUDIT_CHAIN, settings.NOTIFY_SMS)
