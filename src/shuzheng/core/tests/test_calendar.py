import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shuzheng.core import calendar
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
    assert calendar.is_estimated(2027)
    assert not calendar.is_estimated(2026)
    # 2027-01-01 is a Friday; with no data it counts as a working day
    assert calendar.is_working_day(D(2027, 1, 1))
    assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    assert calendar.estimated_years(range(2026, 2029)) == [2027, 2028]


def test_admin_edit_takes_effect_immediately():
    assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 1)
    CalendarDay.objects.create(date=D(2027, 1, 1), kind="holiday", name="元旦")
    CalendarYear.objects.create(year=2027, source="admin")
    assert calendar.add_working_days(D(2026, 12, 31), 1) == D(2027, 1, 4)
    assert not calendar.is_estimated(2027)


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
