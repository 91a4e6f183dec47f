"""Bookings that race for the last place: capacity and one-a-day hold with real concurrent
writers (PostgreSQL, or SQLite on a file; in-memory SQLite shares one cache, not writers)."""

from __future__ import annotations

import threading

import pytest
import time_machine
from django.db import connection, connections

from shuzheng.appointments import services
from shuzheng.appointments.demo import seed_appointments
from shuzheng.appointments.models import Booking, Slot
from shuzheng.appointments.tests.conftest import CITY, DISABILITY, ID_CARD, MORNING
from shuzheng.core.errors import Conflict
from shuzheng.identity.models import User
from shuzheng.identity.selectors import principal_for_user


def _race(calls) -> list[BaseException]:  # type: ignore[no-untyped-def]
    start = threading.Barrier(len(calls))
    errors: list[BaseException] = []

    def run(fn):  # type: ignore[no-untyped-def]
        def target() -> None:
            try:
                start.wait(10)
                fn()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        return target

    threads = [threading.Thread(target=run(fn)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def _skip_in_memory() -> None:
    if connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("in-memory SQLite: threads share one connection's cache, not real writers")


@pytest.mark.django_db(transaction=True)
def test_three_people_racing_for_one_place_give_one_booking():
    _skip_in_memory()
    with time_machine.travel(MORNING, tick=True):
        seed_appointments()
        people = [
            principal_for_user(User.objects.get(username=f"demo-{who}"))
            for who in ("citizen", "elder", "agent")
        ]

        def booking(p):  # type: ignore[no-untyped-def]
            return lambda: services.booking_create(
                principal=p, hall=CITY, item=DISABILITY, date="2026-10-08", time="09:00"
            )

        errors = _race([booking(p) for p in people])
    assert len(errors) == 2 and all(isinstance(e, Conflict) for e in errors), errors
    assert all("已约满" in e.message for e in errors if isinstance(e, Conflict))
    assert Booking.objects.count() == 1
    assert Slot.objects.get().booked == 1


@pytest.mark.django_db(transaction=True)
def test_one_person_booking_two_slots_of_a_day_at_once_gets_one():
    _skip_in_memory()
    with time_machine.travel(MORNING, tick=True):
        seed_appointments()
        me = principal_for_user(User.objects.get(username="demo-citizen"))
        errors = _race(
            [
                lambda t=t: services.booking_create(
                    principal=me, hall=CITY, item=ID_CARD, date="2026-10-08", time=t
                )
                for t in ("09:00", "09:30", "10:00")
            ]
        )
    assert len(errors) == 2 and all(isinstance(e, Conflict) for e in errors), errors
    assert Booking.objects.count() == 1
    # the losers' places were given back with their transactions
    assert sorted(Slot.objects.values_list("booked", flat=True)) in ([1], [0, 1], [0, 0, 1])
