"""The read-replica router's decisions (core/dbrouter.py), without a replica: which alias each
read would use inside requests of each kind. tests/deploy/test_replica.py shows the same with a
real PostgreSQL streaming replica."""

from __future__ import annotations

import time

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from shuzheng.core import dbrouter
from shuzheng.core.models import CacheVersion

router = dbrouter.PrimaryReplicaRouter()


def serve(method: str, view, cookies: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """Run ``view`` inside ReplicaMiddleware for a request; returns (what view returned,
    response)."""
    seen = {}

    def get_response(request):  # type: ignore[no-untyped-def]
        seen["value"] = view()
        return HttpResponse("ok")

    request = getattr(RequestFactory(), method.lower())("/")
    request.COOKIES.update(cookies or {})
    response = dbrouter.ReplicaMiddleware(get_response)(request)
    return seen["value"], response


def read() -> str:
    return router.db_for_read(CacheVersion)


def test_a_get_reads_the_replica_and_sets_no_pin():
    alias, response = serve("GET", read)
    assert alias == "replica"
    assert dbrouter.PIN_COOKIE not in response.cookies


def test_outside_a_request_reads_go_to_the_primary():
    assert read() == "default"  # tasks, the scheduler, commands


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_writing_method_reads_the_primary_and_pins_its_client(method, settings):
    settings.REPLICA_PIN_SECONDS = 7
    alias, response = serve(method, read)
    assert alias == "default"
    pin = response.cookies[dbrouter.PIN_COOKIE]
    assert pin["max-age"] == 7 and pin["httponly"]


def test_after_a_write_the_rest_of_a_get_reads_the_primary():
    def view():  # type: ignore[no-untyped-def]
        before = read()
        router.db_for_write(CacheVersion)
        return before, read()

    (before, after), response = serve("GET", view)
    assert (before, after) == ("replica", "default")
    assert dbrouter.PIN_COOKIE in response.cookies  # and the next requests too, for a while


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_reads_inside_a_transaction_go_to_the_primary():
    def view():  # type: ignore[no-untyped-def]
        outside = read()
        with transaction.atomic():
            return outside, read()

    assert serve("GET", view)[0] == ("replica", "default")


def test_a_pinned_client_reads_the_primary_until_the_pin_ends():
    soon = {dbrouter.PIN_COOKIE: f"{time.time() + 60:.0f}"}
    assert serve("GET", read, soon)[0] == "default"
    past = {dbrouter.PIN_COOKIE: f"{time.time() - 1:.0f}"}
    assert serve("GET", read, past)[0] == "replica"
    assert serve("GET", read, {dbrouter.PIN_COOKIE: "garbage"})[0] == "replica"


def test_primary_reads_block_and_migrations():
    def view():  # type: ignore[no-untyped-def]
        with dbrouter.primary_reads():
            inside = read()
        return inside, read()

    assert serve("GET", view)[0] == ("default", "replica")
    assert router.allow_migrate("default", "cases") and not router.allow_migrate("replica", "cases")


def test_plain_sql_reads_of_a_model_follow_the_router_and_the_rest_stay_on_the_primary(
    monkeypatch,
):
    """``rawsql.rows(read_of=Model)`` runs where the router reads the model (the replica in a
    GET); without ``read_of`` (tokens, grants, consents, writes) on the primary."""
    from contextlib import nullcontext

    from shuzheng.core import rawsql

    used: list[str] = []

    class Cursor:
        def execute(self, sql, params):  # type: ignore[no-untyped-def]
            pass

        def fetchall(self):  # type: ignore[no-untyped-def]
            return []

    class Connection:
        def __init__(self, alias: str) -> None:
            self.alias = alias

        def cursor(self):  # type: ignore[no-untyped-def]
            used.append(self.alias)
            return nullcontext(Cursor())

    monkeypatch.setattr(rawsql, "connections", {a: Connection(a) for a in ("default", "replica")})
    monkeypatch.setattr(rawsql, "connection", Connection("default connection"))
    monkeypatch.setattr(rawsql, "router", router)

    def view():  # type: ignore[no-untyped-def]
        rawsql.rows("SELECT 1", [], read_of=CacheVersion)
        rawsql.rows("SELECT 1", [])
        return list(used)

    assert serve("GET", view)[0] == ["replica", "default connection"]
    used.clear()
    assert serve("POST", view)[0] == ["default", "default connection"]
