"""The PostgreSQL backend's health check: no query for a quiet idle connection, and a
connection the server has closed is replaced before the request uses it.

Each test uses a connection of its own (outside the test's transaction), idle between
"requests" as a worker thread's persistent connection is."""

from __future__ import annotations

import select
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL backend only"),
]


@pytest.fixture
def own() -> Iterator[Any]:
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def _check(wrapper: Any) -> None:
    """What Django runs when a request first uses its persistent connection."""
    wrapper.health_check_done = False
    wrapper.close_if_health_check_failed()


@pytest.fixture
def round_trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Each call of the backend's ``is_usable`` (Django's ``SELECT 1``)."""
    calls: list[int] = []
    cls = type(connections["default"])
    real = cls.is_usable

    def counting(self: Any) -> bool:
        calls.append(1)
        return bool(real(self))

    monkeypatch.setattr(cls, "is_usable", counting)
    return calls


def test_the_backend_is_ours():
    assert type(connections["default"]).__module__ == "shuzheng.core.postgresql.base"


def test_a_quiet_idle_connection_is_kept_without_a_query(own, round_trips):
    assert own.health_check_enabled
    before = own.connection
    _check(own)
    assert own.connection is before and round_trips == []
    assert own.health_check_done


def test_a_connection_inside_a_transaction_gets_the_select_1(own, round_trips):
    own.set_autocommit(False)
    with own.cursor() as cur:
        cur.execute("SELECT 1")  # the transaction has begun on the server
    _check(own)
    assert round_trips == [1] and own.connection is not None
    own.rollback()
    own.set_autocommit(True)


def test_a_connection_the_server_closed_is_replaced(own, round_trips):
    old = own.connection
    pid = old.info.backend_pid
    with connection.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", [pid])
    poller = select.poll()
    poller.register(old.pgconn.socket, select.POLLIN)
    deadline = time.monotonic() + 10
    while not poller.poll(50) and time.monotonic() < deadline:
        pass  # the server's FATAL message and the close reach the socket
    _check(own)
    assert round_trips == [1]  # the suspect connection was asked, failed, and was closed
    assert own.connection is None
    with own.cursor() as cur:  # the request goes on with a fresh connection
        cur.execute("SELECT pg_backend_pid()")
        assert cur.fetchone()[0] != pid
