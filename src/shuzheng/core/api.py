"""Public calendar endpoints (working-day arithmetic)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema

from shuzheng.core import calendar
from shuzheng.core.errors import ValidationFailed
from shuzheng.core.models import CalendarDay

router = Router(tags=["calendar 工作日"])


class DateOut(Schema):
    date: dt.date
    estimated: bool
    # a year counted is not official (its 调休 notice not entered): the answer may still move
    provisional: bool


class CountOut(Schema):
    working_days: int
    estimated: bool
    provisional: bool


class DayOut(Schema):
    date: dt.date
    kind: str
    name: str


class YearOut(Schema):
    year: int
    estimated: bool
    # official (the State Council's notice entered) / provisional (statutory holidays only, no
    # 调休 yet) / estimated (no data: Monday–Friday)
    status: str
    provisional: bool
    days: list[DayOut]


def _check_days(days: int) -> None:
    if abs(days) > 3660:
        raise ValidationFailed.one("days", "工作日数应在 -3660 到 3660 之间。")


@router.get(
    "/calendar/add-working-days",
    response=DateOut,
    auth=None,
    summary="从某日起加若干工作日（起始日不计）",
)
def add_working_days(request: HttpRequest, start: dt.date, days: int) -> DateOut:
    _check_days(days)
    cal = calendar.snapshot()
    result = cal.add_working_days(start, days)
    years = range(min(start, result).year, max(start, result).year + 1)
    return DateOut(
        date=result,
        estimated=any(cal.status(y) == calendar.ESTIMATED for y in years),
        provisional=cal.span_provisional(start, result),
    )


@router.get(
    "/calendar/working-days-between",
    response=CountOut,
    auth=None,
    summary="两日之间的工作日数（不含起始日，含结束日）",
)
def working_days_between(request: HttpRequest, start: dt.date, end: dt.date) -> CountOut:
    if abs((end - start).days) > 3660 * 2:
        raise ValidationFailed.one("end", "日期跨度过大（不超过20年）。")
    cal = calendar.snapshot()
    n = cal.working_days_between(start, end)
    years = range(min(start, end).year, max(start, end).year + 1)
    return CountOut(
        working_days=n,
        estimated=any(cal.status(y) == calendar.ESTIMATED for y in years),
        provisional=cal.span_provisional(start, end),
    )


@router.get("/calendar/years/{year}", response=YearOut, auth=None, summary="某年的节假日与调休")
def year(request: HttpRequest, year: int) -> YearOut:
    if not 1900 <= year <= 2200:
        raise ValidationFailed.one("year", "年份应在1900到2200之间。")
    days = CalendarDay.objects.filter(date__year=year).order_by("date")
    status = calendar.year_status(year)
    return YearOut(
        year=year,
        estimated=status == calendar.ESTIMATED,
        status=status,
        provisional=status != calendar.OFFICIAL,
        days=[DayOut(date=d.date, kind=d.kind, name=d.name) for d in days],
    )
