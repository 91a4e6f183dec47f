"""The number of SQL statements of one data API call is pinned, so a regression (an extra
query per call, a lost cache) fails here rather than in a benchmark. SQLite, inline audit
chaining (the test defaults); the statements are listed in each test."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import CITIZEN_ID, MARRIAGE, SOCIAL
from .test_data_api import get, grant

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="PostgreSQL reads the consumer, the rate window and the catalog's version in one "
        "statement and may write the call log and audit record in one: other counts",
    ),
]
# a fixed moment: every call below falls in the same rate-limit minute
MOMENT = dt.datetime(2026, 11, 23, 2, 0, 5, tzinfo=dt.UTC)

# token check (1) + the token's principal (1) + consumer (1) + catalog version (1) + the
# grant or consents (1) + the registry record (1) + SAVEPOINT (1) + rate-window upsert (1) +
# call-log insert (1) + audit head read, record insert, head update (3) + RELEASE (1)
WARM_CALL = 13


@pytest.fixture(autouse=True)
def _long_lived_tokens(settings):
    settings.API_TOKEN_TTL_SECONDS = 400 * 86400


@pytest.fixture
def frozen():
    with time_machine.travel(MOMENT, tick=False):
        yield


def _count(call):
    with CaptureQueriesContext(connection) as queries:
        r = call()
    assert r.status_code == 200, r.content
    return len(queries.captured_queries), [q["sql"] for q in queries.captured_queries]


def test_a_granted_call(api, frozen):
    grant(api, fields=["person.marital_status", "marriage.spouse_name"])
    call = lambda: get(api, "client:demo-mz-system", MARRIAGE, CITIZEN_ID)  # noqa: E731
    first, _ = _count(call)  # loads the catalog if this process has not, clears old windows
    count, sql = _count(call)
    assert count == WARM_CALL, "\n".join(sql)
    assert sum("core_cacheversion" in s for s in sql) == 1  # the catalog: its version only
    assert first >= WARM_CALL


def consent(api):
    """demo-citizen lets demo-bank read 社保参保 (granted at the frozen moment)."""
    r = api.call(
        "POST",
        "/api/v1/dataspace/consents",
        who="demo-citizen",
        json_body={"requester": "demo-bank", "resource": SOCIAL, "purpose": "贷款审批", "days": 30},
    )
    assert r.status_code == 201, r.content


def test_a_consented_call(api, frozen):
    consent(api)
    call = lambda: get(api, "client:demo-bank", SOCIAL, CITIZEN_ID)  # noqa: E731
    _count(call)
    count, sql = _count(call)
    assert count == WARM_CALL, "\n".join(sql)


def test_the_first_call_of_a_minute_also_clears_the_clients_old_windows(api, frozen):
    consent(api)
    call = lambda: get(api, "client:demo-bank", SOCIAL, CITIZEN_ID)  # noqa: E731
    _count(call)  # the catalog is loaded
    with time_machine.travel(MOMENT + dt.timedelta(minutes=1), tick=False):
        count, sql = _count(call)
    assert count == WARM_CALL + 1, "\n".join(sql)
    assert sum(s.startswith('DELETE FROM "exchange_ratewindow"') for s in sql) == 1
