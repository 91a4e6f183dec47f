"""Statements per intake and per action, pinned (docs/style.md habit 12): an added query fails
here rather than in the intake benchmark."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shuzheng.core import calendar
from shuzheng.hotline import services
from shuzheng.hotline.contracts import TicketInput
from shuzheng.hotline.demo import OPERATOR, _handler
from shuzheng.hotline.tests.conftest import CG_CODE, NOISE, at
from shuzheng.identity import facade as identity

pytestmark = pytest.mark.django_db


def _create():
    data = TicketInput(**{k: v for k, v in NOISE.items()})
    return services.ticket_create(principal=OPERATOR, data=data, channel="phone")


def test_statements_of_intake_and_actions():
    # the departments' and the calendar's memos warm, as in a running process
    identity.department_names()
    calendar.add_working_days(dt.date(2026, 11, 23), 15)
    with at(2026, 11, 23, 9):
        _create()
        with CaptureQueriesContext(connection) as create:
            no = _create().ticket_no
        with CaptureQueriesContext(connection) as dispatch:
            services.ticket_act(
                principal=OPERATOR, ticket_no=no, action="dispatch", params={"department": CG_CODE}
            )
        with CaptureQueriesContext(connection) as sign:
            services.ticket_act(principal=_handler(CG_CODE), ticket_no=no, action="sign")
    counts = (len(create), len(dispatch), len(sign))
    # create: category (with its parents), day serial (one upsert), 重复来电 probe, ticket,
    # event, SMS, audit (3) + savepoint pair (the probe stored at intake spares the metrics a
    # two-month window scan);
    # dispatch: lock, limit, cache versions (3), save, event, SMS, inbox, audit (3) + savepoints.
    # PostgreSQL chains the audit later (deferred): two statements fewer each.
    expected = (11, 14, 10) if connection.vendor == "sqlite" else (9, 12, 8)
    assert counts == expected


def test_statements_of_the_intake_answer():
    """The intake's answer (``facade.ticket_create``: the ticket, its detail, the merge
    candidates) reads back only the new ticket's timeline: nothing can be linked to it or
    rated yet, and the names and the category tree are read once."""
    from shuzheng.hotline import facade

    identity.department_names()
    data = TicketInput(**{k: v for k, v in NOISE.items()})
    with at(2026, 11, 23, 9):
        facade.ticket_create(principal=OPERATOR, data=data, channel="phone")
        with CaptureQueriesContext(connection) as answer:
            out = facade.ticket_create(principal=OPERATOR, data=data, channel="phone")
    assert out["linked_tickets"] == [] and out["callbacks"] == []
    assert [e["action"] for e in out["timeline"]] == ["create"]
    assert [c["ticket_no"] for c in out["merge_candidates"]]  # the first call's ticket
    # the create's 9 (11 on SQLite, above) + cache versions (2) + timeline, settings, merge scan
    assert len(answer) == (16 if connection.vendor == "sqlite" else 14)


def test_the_ticket_serial_equals_a_read_of_its_row():
    """The day's serial is one upsert in SQL (``records.next_serial``): each call gives the
    row's value as the ORM reads it, one more each time; a new day starts at 1."""
    from shuzheng.hotline.models import TicketSequence
    from shuzheng.hotline.services import records

    got = [records.next_serial("20261123") for _ in range(3)]
    assert got == [1, 2, 3]
    assert TicketSequence.objects.get(day="20261123").last == 3
    assert records.next_serial("20261124") == 1
    with at(2026, 11, 23, 9):
        assert _create().ticket_no == "12345-20261123-000004"
