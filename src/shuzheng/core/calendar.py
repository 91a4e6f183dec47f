"""Working-day (工作日) arithmetic for every deadline in the platform.

Rules:
- A day listed in ``CalendarDay`` is a working day iff its kind is ``workday`` (调休上班).
- Any other day is a working day iff it is Monday–Friday.
- The start day itself is never counted (the day of 受理 is day 0).
- Years without a ``CalendarYear`` row are *estimated* (Monday–Friday only); callers can ask
  ``is_estimated(year)`` and administrators see a warning in the shell.
- A year's status (``year_status``) is ``official`` (the State Council's notice with its 调休 is
  entered), ``provisional`` (statutory holidays from the ``holidays`` package, no 调休 yet) or
  ``estimated`` (no row). A date computed across a year that is not official is *provisional*
  (``deadline`` says so); from October 1 administrators are warned while next year is not
  official (``notice_warnings``).

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

OFFICIAL = CalendarYear.Status.OFFICIAL.value
PROVISIONAL = CalendarYear.Status.PROVISIONAL.value
ESTIMATED = "estimated"  # no CalendarYear row: Monday–Friday
NOTICE_WARNING_FROM = (10, 1)  # (month, day): from then on, next year's notice is awaited


@dataclass(frozen=True)
class YearExceptions:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    status: str = ESTIMATED

    @property
    def known(self) -> bool:
        return self.status != ESTIMATED


@dataclass(frozen=True)
class Deadline:
    """A date counted in working days, and whether a year it crossed is not official (its
    holidays provisional or unknown), so the date may still move."""

    date: dt.date
    provisional: bool


def _load(year: int) -> YearExceptions:
    rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
    holidays = frozenset(d for d, k in rows if k == CalendarDay.Kind.HOLIDAY)
    workdays = frozenset(d for d, k in rows if k == CalendarDay.Kind.WORKDAY)
    status = CalendarYear.objects.filter(year=year).values_list("status", flat=True).first()
    return YearExceptions(holidays=holidays, workdays=workdays, status=status or ESTIMATED)


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

    def status(self, year: int) -> str:
        return self.year(year).status

    def span_provisional(self, start: dt.date, end: dt.date) -> bool:
        """True when a year from ``start`` to ``end`` (either order) is not official."""
        lo, hi = min(start, end).year, max(start, end).year
        return any(self.year(y).status != OFFICIAL for y in range(lo, hi + 1))

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """See the module function."""
        if abs(days) > MAX_SPAN_DAYS:
            raise ValueError("days out of range")
        step = 1 if days >= 0 else -1
        remaining = abs(days)
        day = start
        while remaining > 0:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                remaining -= 1
        return day

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
    return _Calendar().add_working_days(start, days)


def deadline(start: dt.date, days: int) -> Deadline:
    """``add_working_days`` on one snapshot, and whether it crossed a year that is not official."""
    cal = _Calendar()
    end = cal.add_working_days(start, days)
    return Deadline(date=end, provisional=cal.span_provisional(start, end))


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]: how many working days have elapsed from start to end.

    Negative when end is before start. ``add_working_days(s, working_days_between(s, e))``
    is ``e`` whenever ``e`` is a working day.
    """
    return _Calendar().working_days_between(start, end)


def estimated_years(years: range) -> list[int]:
    cal = _Calendar()
    return [y for y in years if not cal.year(y).known]


def year_status(year: int) -> str:
    """``official``, ``provisional`` or ``estimated`` (no data: Monday–Friday)."""
    return _Calendar().status(year)


def is_provisional(year: int) -> bool:
    """True when the year's 调休 notice is not entered (provisional or estimated)."""
    return year_status(year) != OFFICIAL


@dataclass(frozen=True)
class YearWarning:
    """A year administrators must complete: ``status`` is ``estimated`` or ``provisional``."""

    year: int
    status: str


def warning_text(w: YearWarning) -> str:
    """The warning in words (the shell's banner says the same)."""
    if w.status == ESTIMATED:
        return f"工作日历缺少 {w.year} 年的节假日数据，该年暂按周一至周五计算工作日。"
    return (
        f"{w.year} 年的调休安排（国务院办公厅节假日通知）尚未录入：该年节假日暂按法定节日推算，"
        "据此计算的办理期限均为暂定。"
    )


def notice_warnings(today: dt.date, cal: _Calendar | None = None) -> list[YearWarning]:
    """The years administrators are warned about on ``today``: this year or next year without any
    data (all year round), and — from October 1 — next year while its notice is not entered."""
    cal = cal or _Calendar()
    out = []
    for year in (today.year, today.year + 1):
        status = cal.status(year)
        awaited = year == today.year or (today.month, today.day) >= NOTICE_WARNING_FROM
        if status == ESTIMATED or (status == PROVISIONAL and awaited):
            out.append(YearWarning(year, status))
    return out


def health(today: dt.date) -> dict[str, object]:
    """The working-day calendar's part of ``/healthz`` and of ``calendar_status``: each year's
    status (this year and the next two) and the warnings administrators see
    (``notice_warnings``: a year without data, next year's notice from October 1)."""
    cal = _Calendar()
    warnings = notice_warnings(today, cal)
    return {
        "status": "warning" if warnings else "ok",
        "years": {str(y): cal.status(y) for y in range(today.year, today.year + 3)},
        "warnings": [
            {"year": w.year, "status": w.status, "message": warning_text(w)} for w in warnings
        ],
    }
