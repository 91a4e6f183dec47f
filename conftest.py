"""Root pytest configuration: test settings are chosen before Django loads, and the demo data
set is loaded once per test database (each test runs in a transaction that is rolled back)."""

from __future__ import annotations

import os

os.environ.setdefault("SHUZHENG_TESTING", "1")

import shutil
import tempfile

import pytest

# uploads and licence PDFs the tests write go to a folder of this session (each xdist worker
# its own), removed at the end — not into the demo's var/media
_MEDIA = "" if "SHUZHENG_MEDIA_ROOT" in os.environ else tempfile.mkdtemp(prefix="shuzheng-media-")
if _MEDIA:
    os.environ["SHUZHENG_MEDIA_ROOT"] = _MEDIA

_TODAY = os.environ.get("SHUZHENG_TEST_TODAY", "")
_traveller = None


def pytest_configure(config):  # type: ignore[no-untyped-def]
    """``SHUZHENG_TEST_TODAY=2027-06-15`` runs the whole session as if today were that day (the
    clock ticks from 09:00 Beijing time): CI runs the PostgreSQL suite on a day far from the real
    one, so a test tied to the wall clock fails the day it is written, not months later."""
    global _traveller
    if _TODAY:
        import datetime as dt

        import time_machine

        start = dt.datetime.fromisoformat(_TODAY).replace(
            hour=9, tzinfo=dt.timezone(dt.timedelta(hours=8))
        )
        _traveller = time_machine.travel(start, tick=True)
        _traveller.start()


def pytest_unconfigure(config):  # type: ignore[no-untyped-def]
    if _traveller is not None:
        _traveller.stop()
    if _MEDIA:
        shutil.rmtree(_MEDIA, ignore_errors=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from shuzheng.exchange.demo import seed_exchange
    from shuzheng.identity.demo import seed_demo
    from shuzheng.licenses.services import license_types_load

    with django_db_blocker.unblock():
        seed_demo()
        seed_exchange()  # the registries behind prefill and facts (数据共享)
        license_types_load(actor="system:tests")  # 电子证照 types (results of catalog items)


def _flushes(item: pytest.Item) -> bool:
    """Whether the test ran on ``transactional_db`` (marked ``transaction=True``, or a live
    server): Django ends such a test by flushing every table."""
    marker = item.get_closest_marker("django_db")
    if marker is not None and (
        marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
    ):
        return True
    names = getattr(item, "fixturenames", ())
    return "transactional_db" in names or "live_server" in names


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):  # type: ignore[no-untyped-def]
    """After a flushing test's teardown, put the demo data back, so the next test — whatever
    kind, on whichever xdist worker — finds the database as the session set it up."""
    yield
    if nextitem is None or not _flushes(item):  # the last test: the database is gone
        return
    from pytest_django.plugin import blocking_manager_key
    from tests.support import restore_flushed_data

    with item.config.stash[blocking_manager_key].unblock():
        restore_flushed_data()


@pytest.fixture
def api(client):  # type: ignore[no-untyped-def]
    """A JSON API helper: api.token(username) / api.call(method, path, token=..., json=...)."""
    from tests.support import Api

    return Api(client)
