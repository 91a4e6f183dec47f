"""Fixtures of the deployment tests: PostgreSQL clusters of their own (primary and streaming
replica) loaded with the test database, skipped when the tests do not run on PostgreSQL or the
server binaries are not installed (.ci/run installs Debian's postgresql)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy import pgcluster


@dataclass
class Replicated:
    primary: pgcluster.Cluster
    replica: pgcluster.Cluster
    db: str


def _copy_test_database(primary: pgcluster.Cluster, db: str) -> None:
    """The test database (migrated and seeded by django_db_setup) into ``primary``'s ``db``."""
    from django.db import connection

    s = connection.settings_dict
    primary.psql("postgres", f"CREATE DATABASE {db}")
    dump = subprocess.Popen(
        [str(primary.bindir / "pg_dump"), "--no-owner", "--no-privileges", "-h",
         str(s["HOST"] or "127.0.0.1"), "-p", str(s["PORT"] or 5432), "-U", str(s["USER"]),
         s["NAME"]],
        stdout=subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "PGPASSWORD": str(s.get("PASSWORD") or "")},
    )  # fmt: skip
    assert dump.stdout is not None
    subprocess.run(
        [str(primary.bindir / "psql"), "-h", "127.0.0.1", "-p", str(primary.port), "-U",
         "postgres", "-d", db, "-Xq", "-v", "ON_ERROR_STOP=1", "-o", "/dev/null"],
        stdin=dump.stdout, check=True, timeout=120, capture_output=True,
    )  # fmt: skip
    assert dump.wait(timeout=60) == 0


@pytest.fixture(scope="session")
def replicated(django_db_setup, django_db_blocker) -> Iterator[Replicated]:  # type: ignore[no-untyped-def]
    """A primary with the test database's schema and data, and a hot standby streaming from it."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://…): a streaming replica")
    bindir = pgcluster.pg_bin()
    if bindir is None:
        pytest.skip("PostgreSQL server binaries not installed (/usr/lib/postgresql/*/bin)")
    root = Path(tempfile.mkdtemp(prefix="shuzheng-replica-"))
    pgcluster.own(root)
    started: list[pgcluster.Cluster] = []
    try:
        primary = pgcluster.make_primary(bindir, root)
        started.append(primary)
        with django_db_blocker.unblock():
            _copy_test_database(primary, "shuzheng")
        replica = pgcluster.make_replica(primary, root)
        started.append(replica)
        yield Replicated(primary, replica, "shuzheng")
    finally:
        for c in reversed(started):
            c.stop()
        shutil.rmtree(root, ignore_errors=True)
