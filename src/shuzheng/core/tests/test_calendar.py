import datetime as dt

import chinese_calendar
import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from shuzheng.core import cache, calendar, calendar_seed
from shuzheng.core.models import CalendarDay, CalendarYear

pytestmark = pytest.mark.django_db

D = dt.date


def test_contract_examples():
    # the examples: National Day 2026 and the 2026-02-14 调休 Saturday
    assert calendar.add_working_days(D(2026, 9, 29), 5) == D(2026, 10, 12)
    assert calendar.add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
    # standards-cn.md §8: the acceptance day is not counted
    assert calendar.add_working_days(D(2026, 9, 28), 5) == D(2026, 10, 10)


def test_seeded_table_agrees_with_chinese_calendar_every_day():
    day = D(2004, 1, 1)
    mismatches = []
    cal = calendar.snapshot()
    while day <= D(2026, 12, 31):
        if cal.is_working_day(day) != chinese_calendar.is_workday(day):
            mismatches.append(day)
        day += dt.timedelta(days=1)
    assert mismatches == []


def test_2026_has_248_working_days():
    assert calendar.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_year_without_data_falls_back_to_weekdays_and_is_flagged():
    assert calendar.is_estimated(2031)
    assert not calendar.is_estimated(2026) and not calendar.is_estimated(2030)
    # 2031-01-01 is a Wednesday; with no data it counts as a working day
    assert calendar.is_working_day(D(2031, 1, 1))
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)
    assert calendar.estimated_years(range(2030, 2033)) == [2031, 2032]


def test_a_direct_write_is_seen_once_it_bumps_the_version():
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)
    CalendarDay.objects.create(date=D(2031, 1, 1), kind="holiday", name="元旦")
    CalendarYear.objects.create(year=2031, source="admin")
    cache.bump(calendar.CALENDAR)  # a write outside the services bumps itself
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 2)
    assert not calendar.is_estimated(2031)


def test_a_computation_with_a_warm_cache_is_one_statement(django_assert_num_queries):
    calendar.working_days_between(D(2025, 12, 31), D(2026, 12, 31))
    with django_assert_num_queries(1):  # the calendar's version
        assert calendar.working_days_between(D(2025, 12, 31), D(2026, 12, 31)) == 248


def test_an_edit_through_the_api_takes_effect_at_once(api):
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)  # cache warm
    r = api.call(
        "PUT",
        "/api/v1/calendar/days/2031-01-01",
        who="demo-admin",
        json_body={"kind": "holiday", "name": "元旦"},
    )
    assert r.status_code == 200, r.content
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 2)
    # a holiday changed in place into a 调休 workday (same row count)
    r = api.call(
        "PUT",
        "/api/v1/calendar/days/2031-01-01",
        who="demo-admin",
        json_body={"kind": "workday", "name": "调休上班"},
    )
    assert r.status_code == 200, r.content
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)
    assert not calendar.is_working_day(D(2026, 10, 1))
    r = api.call("DELETE", "/api/v1/calendar/days/2026-10-01", who="demo-admin")
    assert r.status_code == 204, r.content
    assert calendar.is_working_day(D(2026, 10, 1))  # a Thursday without its holiday


def test_edits_in_the_django_admin_take_effect_at_once(client):
    client.force_login(get_user_model().objects.get(username="demo-admin"))
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)
    assert calendar.is_estimated(2031)
    r = client.post(
        "/admin/core/calendarday/add/",
        {"date": "2031-01-01", "kind": "holiday", "name": "元旦", "source": "admin"},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 2)

    row = CalendarDay.objects.get(date=D(2031, 1, 1))
    r = client.post(
        f"/admin/core/calendarday/{row.pk}/change/",
        {"date": "2031-01-01", "kind": "workday", "name": "调休上班", "source": "admin"},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)

    assert not calendar.is_working_day(D(2026, 10, 1))
    national_day = CalendarDay.objects.get(date=D(2026, 10, 1))
    r = client.post(f"/admin/core/calendarday/{national_day.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert calendar.is_working_day(D(2026, 10, 1))  # a Thursday without its holiday

    r = client.post(
        "/admin/core/calendaryear/add/",
        {"year": "2031", "status": "official", "source": "国办发明电〔2030〕", "notice": "通知"},
    )
    assert r.status_code == 302, r.content.decode()[:500]
    assert not calendar.is_estimated(2031)


def test_a_bulk_delete_in_the_django_admin_takes_effect_at_once(client):
    client.force_login(get_user_model().objects.get(username="demo-admin"))
    assert not calendar.is_working_day(D(2026, 10, 1))
    rows = list(CalendarDay.objects.filter(date__in=[D(2026, 10, 1), D(2026, 10, 2)]))
    r = client.post(
        "/admin/core/calendarday/",
        {"action": "delete_selected", "_selected_action": [str(d.pk) for d in rows], "post": "yes"},
    )
    assert r.status_code == 302
    assert calendar.is_working_day(D(2026, 10, 1)) and calendar.is_working_day(D(2026, 10, 2))


def test_an_edit_committed_by_another_process_is_seen():
    """Another process changed a day in place (no new row, no new ``updated_at``) and bumped the
    version in its transaction: this process, which it never told, sees the edit."""
    assert not calendar.is_working_day(D(2026, 10, 1))
    with connection.cursor() as cur:  # the other process's statements
        cur.execute("UPDATE core_calendarday SET kind = 'workday' WHERE date = '2026-10-01'")
        cur.execute(
            "INSERT INTO core_cacheversion (name, version) VALUES (%s, 7) "
            "ON CONFLICT (name) DO UPDATE SET version = core_cacheversion.version + 1",
            [calendar.CALENDAR],
        )
    assert calendar.is_working_day(D(2026, 10, 1))


def test_a_rolled_back_edit_does_not_poison_the_cache(api):
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)

    class Abort(Exception):
        pass

    api.token("demo-admin")
    with pytest.raises(Abort), transaction.atomic():
        r = api.call(
            "PUT",
            "/api/v1/calendar/days/2031-01-01",
            who="demo-admin",
            json_body={"kind": "holiday", "name": "元旦"},
        )
        assert r.status_code == 200, r.content
        # read inside the doomed transaction: the memo is filled with the uncommitted row
        assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 2)
        raise Abort
    assert not CalendarDay.objects.filter(date=D(2031, 1, 1)).exists()
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 1)
    # and the next committed edit is seen
    r = api.call(
        "PUT",
        "/api/v1/calendar/days/2031-01-01",
        who="demo-admin",
        json_body={"kind": "holiday", "name": "元旦"},
    )
    assert r.status_code == 200, r.content
    assert calendar.add_working_days(D(2030, 12, 31), 1) == D(2031, 1, 2)


def test_the_seed_restores_missing_days_and_the_cache_sees_them():
    assert not calendar.is_working_day(D(2026, 10, 1))
    CalendarDay.objects.filter(date=D(2026, 10, 1)).delete()
    cache.bump(calendar.CALENDAR)
    assert calendar.is_working_day(D(2026, 10, 1))
    before = cache.versions(calendar.CALENDAR)
    assert calendar_seed.seed(CalendarDay, CalendarYear) == 1
    assert cache.versions(calendar.CALENDAR) != before
    assert not calendar.is_working_day(D(2026, 10, 1))
    # nothing to add: no write, no new version
    before = cache.versions(calendar.CALENDAR)
    assert calendar_seed.seed(CalendarDay, CalendarYear) == 0
    assert cache.versions(calendar.CALENDAR) == before


def test_zero_and_negative_days():
    assert calendar.add_working_days(D(2026, 10, 1), 0) == D(2026, 10, 1)
    assert calendar.add_working_days(D(2026, 10, 12), -5) == D(2026, 9, 29)
    assert calendar.working_days_between(D(2026, 10, 12), D(2026, 9, 29)) == -5


@settings(max_examples=60, deadline=None)
@given(start=st.dates(D(2004, 1, 1), D(2026, 6, 30)), days=st.integers(0, 120))
def test_between_inverts_add(start, days):
    end = calendar.add_working_days(start, days)
    assert calendar.working_days_between(start, end) == days
    assert days == 0 or calendar.is_working_day(end)
