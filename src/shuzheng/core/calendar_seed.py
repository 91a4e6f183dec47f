"""Seed the working-day table: the official years from the ``chinese-calendar`` package
(2004–2026, each with its State Council notice and 调休), then the *provisional* years after them
(``PROVISIONAL_YEARS``) from the ``holidays`` package's statutory holidays — no 调休 workdays,
which only the year's notice fixes; an administrator enters it (the console's notice screen) and
the year becomes official. Both only add what is missing: a year that has a ``CalendarYear`` row
is left alone, and no existing day is overwritten."""

from __future__ import annotations

import datetime as dt
from typing import Any

import chinese_calendar
import holidays
from chinese_calendar import constants as cc_constants
from django.db import connections, transaction

PACKAGE_SOURCE = f"chinese-calendar {getattr(chinese_calendar, '__version__', '1.11.0')}"
PROVISIONAL_SOURCE = f"holidays {holidays.__version__}（暂定）"
PROVISIONAL_UNTIL = (
    2030  # the last year seeded as provisional (a later one: ``calendar_provisional``)
)

_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def _name(holiday: Any) -> str:
    english = str(getattr(holiday, "value", holiday))
    return _NAMES.get(english, english)


def package_years() -> range:
    years = {d.year for d in cc_constants.holidays} | {d.year for d in cc_constants.workdays}
    return range(min(years), max(years) + 1)


def package_rows() -> list[dict[str, Any]]:
    """Every holiday and 调休 workday the package knows, as rows for ``CalendarDay``."""
    rows: list[dict[str, Any]] = []
    for day, holiday in sorted(cc_constants.holidays.items()):
        rows.append(
            {
                "date": day,
                "kind": "holiday",
                "name": _name(holiday),
                "source": PACKAGE_SOURCE,
            }
        )
    for day, holiday in sorted(cc_constants.workdays.items()):
        rows.append(
            {
                "date": day,
                "kind": "workday",
                "name": f"{_name(holiday)}调休上班",
                "source": PACKAGE_SOURCE,
            }
        )
    return rows


def provisional_years() -> range:
    """The years after the package's last one, up to ``PROVISIONAL_UNTIL``."""
    return range(package_years().stop, PROVISIONAL_UNTIL + 1)


def provisional_rows(year: int) -> list[dict[str, Any]]:
    """The statutory holidays of ``year`` from the ``holidays`` package (in Chinese): the days
    of each festival by law, plus a 补假 on the next working day for one that falls on a
    weekend. No 调休 workdays: only the year's notice says which weekends are worked."""
    days = holidays.China(years=year, language="zh_CN")
    return [
        {"date": day, "kind": "holiday", "name": str(name)[:64], "source": PROVISIONAL_SOURCE}
        for day, name in sorted(days.items())
        if day.year == year
    ]


def seed(day_model: Any, year_model: Any, *, provisional: bool = True) -> int:
    """Insert missing rows (never overwrites an administrator's edit). Returns rows added.

    Takes the models (migrations pass their historical ones; 0002's has no ``status``, so it
    passes ``provisional=False`` and 0006 seeds the provisional years). When it wrote
    anything, the calendar's cache gets a new version in the same transaction — unless the
    cache's table does not exist yet: migration 0002 runs before ``core`` 0003 creates it (and
    before any process can have cached the calendar)."""
    with transaction.atomic(using=day_model.objects.db):
        added = _seed(day_model, year_model)
        if provisional:
            added += _seed_provisional(day_model, year_model, provisional_years())
        return added


def seed_provisional(day_model: Any, year_model: Any, years: range | None = None) -> int:
    """Seed provisional years (default ``provisional_years()``) that have no ``CalendarYear``
    row yet; returns the days added. Migration 0006 and ``calendar_provisional`` call it."""
    with transaction.atomic(using=day_model.objects.db):
        return _seed_provisional(day_model, year_model, years or provisional_years())


def _seed_provisional(day_model: Any, year_model: Any, years: range) -> int:
    known = set(year_model.objects.filter(year__in=list(years)).values_list("year", flat=True))
    added = 0
    for year in years:
        if year in known:
            continue  # official, or already provisional: an administrator's to change
        existing = set(day_model.objects.filter(date__year=year).values_list("date", flat=True))
        new = [day_model(**r) for r in provisional_rows(year) if r["date"] not in existing]
        day_model.objects.bulk_create(new, batch_size=500)
        year_model.objects.create(year=year, status="provisional", source=PROVISIONAL_SOURCE)
        added += len(new)
    if len(known) < len(years):
        _bump(day_model.objects.db)
    return added


def _seed(day_model: Any, year_model: Any) -> int:
    existing = set(day_model.objects.values_list("date", flat=True))
    new = [day_model(**r) for r in package_rows() if r["date"] not in existing]
    day_model.objects.bulk_create(new, batch_size=500)
    years_added = 0
    for year in package_years():
        _, created = year_model.objects.get_or_create(
            year=year,
            defaults={"source": PACKAGE_SOURCE, "notice": "国务院办公厅关于节假日安排的通知"},
        )
        years_added += created
    if new or years_added:
        _bump(day_model.objects.db)
    return len(new)


def _bump(using: str) -> None:
    from shuzheng.core import cache, calendar
    from shuzheng.core.models import CacheVersion

    if CacheVersion._meta.db_table in connections[using].introspection.table_names():
        cache.bump(calendar.CALENDAR)


def is_package_workday(day: dt.date) -> bool:
    """The package's own answer, for cross-checking in tests."""
    return bool(chinese_calendar.is_workday(day))
