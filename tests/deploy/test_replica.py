"""Reads of pages from a real PostgreSQL streaming replica, writes to the primary
(shuzheng/core/dbrouter.py): a primary and a hot standby made with ``pg_basebackup -R`` (fixture
``replicated``), and a process with ``DATABASE_URL`` and ``SHUZHENG_REPLICA_URL`` pointing to
them that requests pages and reports which statements went where (replica_probe.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from shuzheng.identity.demo import DEMO_PASSWORD

# django_db: so that pytest-django creates the test database the primary is loaded from
pytestmark = [pytest.mark.deploy, pytest.mark.django_db]

WRITES = {"INSERT", "UPDATE", "DELETE"}
VERSIONS = 'FROM "core_cacheversion"'


def test_the_replica_streams_and_refuses_writes(replicated):  # type: ignore[no-untyped-def]
    p, r, db = replicated.primary, replicated.replica, replicated.db
    assert p.psql(db, "SELECT state FROM pg_stat_replication") == "streaming"
    assert r.psql(db, "SELECT pg_is_in_recovery()") == "t"
    with pytest.raises(subprocess.CalledProcessError) as refused:
        r.psql(db, "CREATE TABLE written_on_replica (x int)")
    assert "read-only transaction" in refused.value.stderr


def test_pages_read_the_replica_and_writes_go_to_the_primary(replicated):  # type: ignore[no-untyped-def]
    p, r, db = replicated.primary, replicated.replica, replicated.db
    env = {
        **os.environ,
        "DATABASE_URL": p.url(db),
        "SHUZHENG_REPLICA_URL": r.url(db),
        "SHUZHENG_TESTING": "1",
    }
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("replica_probe.py")), "demo-citizen",
         DEMO_PASSWORD],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    home, login, code_now, code_later = (
        {**s, "default": _kinds(s["default"]), "replica": _kinds(s["replica"]), "sql": s}
        for s in json.loads(done.stdout.splitlines()[-1])
    )

    # an anonymous page: its reads on the replica; on the primary only the versions of the
    # per-process caches (core.cache: a value is rebuilt, on the primary, when they change)
    assert home["status"] == 200
    assert home["replica"] and set(home["replica"]) == {"SELECT"}
    assert [s for s in home["sql"]["default"] if VERSIONS not in s] == [], home["sql"]
    assert not home["pinned"]

    # a POST: the primary only (its reads too: they decide what it writes), and its client is
    # pinned to the primary for the next seconds
    assert login["status"] == 302
    assert login["replica"] == []
    assert WRITES & set(login["default"])
    assert login["pinned"]

    # the page it redirects to reads what the POST wrote: from the primary
    assert code_now["status"] == 200
    assert code_now["replica"] == []
    assert code_now["default"]

    # once the pin is gone (and the replica has replayed the login), the same page reads the
    # replica, and finds the session written on the primary there
    assert code_later["status"] == 200
    assert code_later["replica"] and set(code_later["replica"]) == {"SELECT"}
    assert any('FROM "django_session"' in sql for sql in code_later["sql"]["replica"])
    # (what it writes, it writes on the primary: the replica would refuse it)


def _kinds(statements: list[str]) -> list[str]:
    return [sql.split(None, 1)[0].upper() for sql in statements]
