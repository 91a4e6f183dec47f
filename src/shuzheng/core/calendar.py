"""Working-day (工作日) arithmetic for every deadline in the platform.

Rules:
- A day listed in ``CalendarDay`` is a working day iff its kind is ``workday`` (调休上班).
- Any other day is a working day iff it is Monday–Friday.
- The start day itself is never counted (the day of 受理 is day 0).
- Years without a ``CalendarYear`` row are *estimated* (Monday–Friday only); callers can ask
  ``is_estimated(year)`` and administrators see a warning in the shell.

The exceptions of a year are cached in process (``core.cache``, name ``CALENDAR``): every
writer of ``CalendarDay`` or ``CalendarYear`` bumps the version in its transaction (the console's
calendar service, the Django admin, the seed), and each computation reads the version once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from shuzheng.core import cache
from shuzheng.core.models import CalendarDay, CalendarYear

MAX_SPAN_DAYS = 366 * 20
CALENDAR = "core.calendar"  # the cache of both tables: bumped by each of their writers


@dataclass(frozen=True)
class YearExceptions:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    known: bool


def _load(year: int) -> YearExceptions:
    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
    holidays = frozenset(d for d, k in rows if k == CalendarDay.Kind.HOLIDAY)
    workdays = frozenset(d for d, k in rows if k == CalendarDay.Kind.WORKDAY)
    known = CalendarYear.objects.filter(year=year).exists()
    return YearExceptions(holidays=holidays, workdays=workdays, known=known)


_years: cache.Memo[int, YearExceptions] = cache.Memo(CALENDAR, maxsize=256)


class _Calendar:
    """A snapshot of the table for the duration of one computation (one version query)."""

    def __init__(self) -> None:
        self.version = _years.version()
        self._seen: dict[int, YearExceptions] = {}

    def year(self, year: int) -> YearExceptions:
        ex = self._seen.get(year)
        if ex is None:
            ex = self._seen[year] = _years.get(year, lambda: _load(year), version=self.version)
        return ex

    def is_working_day(self, day: dt.date) -> bool:
        ex = self.year(day.year)
        if day in ex.workdays:
            return True
        if day in ex.holidays:
            return False
        return day.weekday() < 5

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """See the module function; many calls on one snapshot cost no extra queries."""
        if start == end:
            return 0
        if end < start:
            return -self.working_days_between(end, start)
        if (end - start).days > MAX_SPAN_DAYS:
            raise ValueError("span out of range")
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def snapshot() -> _Calendar:
    """One consistent view of the table for many lookups (one version query)."""
    return _Calendar()


def is_working_day(day: dt.date) -> bool:
    return _Calendar().is_working_day(day)


def is_estimated(year: int) -> bool:
    """True when the year has no holiday data and falls back to Monday–Friday."""
    return not _Calendar().year(year).known


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` (start not counted).

    ``days`` may be 0 (returns ``start``) or negative (counts backwards).
    """
    if abs(days) > MAX_SPAN_DAYS:
        raise ValueError("days out of range")
    cal = _Calendar()
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    day = start
    while remaining > 0:
        day += dt.timedelta(days=step)
        if cal.is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days have elapsed from start to end.

    Negative when end is before start. ``add_working_days(s, working_days_between(s, e))``
    is ``e`` whenever ``e`` is a working day.
    """
    return _Calendar().working_days_between(start, end)


def estimated_years(years: range) -> list[int]:
    cal = _Calendar()
    return [y for y in years if not cal.year(y).known]
