"""Statements of one readings call, pinned (habit 12): besides the INSERTs the database's
parameter limit splits (SQLite: 999 variables a statement), the count does not grow with the
batch; no statement per reading."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuzheng.governance.models import Indicator, IndicatorState, Reading
from shuzheng.governance.services.readings import readings_ingest
from shuzheng.identity.contracts import Principal

from .conftest import NOW

pytestmark = pytest.mark.django_db

SENSORS = Principal(
    kind="client",
    client_id="demo-city-sensors",
    client_department="441200-ZSJ",
    scopes=("city.readings",),
)
DISTRICTS = ("441202", "441203", "441204", "441223", "441224", "441225", "441226", "441284")


def _batch(codes, minutes):
    at = (NOW - dt.timedelta(minutes=minutes)).isoformat()
    return [
        {"indicator": c, "district": d, "at": at, "value": 30.0} for c in codes for d in DISTRICTS
    ]


def _statements(size):
    codes = [f"q{size}-{i}" for i in range(size)]
    Indicator.objects.bulk_create(
        Indicator(
            code=c,
            name=c,
            department="441200-ZSJ",
            function="social",
            source="push",
            frequency="hourly",
            yellow=80,
            red=95,
            per_district=True,
        )
        for c in codes
    )
    readings_ingest(principal=SENSORS, items=_batch(codes, 10))  # the states exist now
    with CaptureQueriesContext(connection) as ctx:
        result = readings_ingest(principal=SENSORS, items=_batch(codes, 5))
    assert result.accepted == 8 * size and not result.alerts
    return [q["sql"].split()[0].upper() for q in ctx.captured_queries]


def _inserts(model, rows, fields):
    size = connection.ops.bulk_batch_size(fields, [None] * rows) or rows
    return -(-rows // min(size, 2000))


def test_statements_do_not_grow_with_the_batch(frozen):
    small, large = _statements(5), _statements(125)
    others = lambda s: [x for x in s if x != "INSERT"]  # noqa: E731
    assert others(small) == others(large)
    reading_fields = ["indicator", "district", "at", "value", "source"]
    state_fields = ["indicator", "district", "at", "value", "level"]
    expected = (
        _inserts(Reading, 1000, reading_fields) + _inserts(IndicatorState, 1000, state_fields) + 1
    )  # + the audit record
    assert large.count("INSERT") == expected
    assert len(large) < 30
