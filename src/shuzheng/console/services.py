"""Administrator writes to core tables, audited in the same transaction; each write of the
working-day calendar gives its cache a new version (``core.calendar.CALENDAR``) in that
transaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.core import cache, calendar, calendar_notice, calendar_seed
from shuzheng.core.calendar_notice import NoticeDay
from shuzheng.core.errors import NotFound, ValidationFailed
from shuzheng.core.models import CalendarDay, CalendarYear


def _snap(row: CalendarDay | None) -> dict[str, str] | None:
    return (
        None if row is None else {"date": row.date.isoformat(), "kind": row.kind, "name": row.name}
    )


def calendar_day_set(*, actor: str, day: dt.date, kind: str, name: str) -> CalendarDay:
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        before = _snap(row)
        if row is None:
            row = CalendarDay(date=day)
        row.kind = kind
        row.name = name[:64]
        row.source = "admin"
        row.save()
        cache.bump(calendar.CALENDAR)
        audit.record(
            actor=actor,
            action="core.calendar_day_set",
            object_type="core.calendar_day",
            object_id=day.isoformat(),
            before=before,
            after=_snap(row),
        )
    return row


def calendar_day_delete(*, actor: str, day: dt.date) -> None:
    with transaction.atomic():
        row = CalendarDay.objects.select_for_update().filter(date=day).first()
        if row is None:
            raise NotFound("该日期没有节假日或调休记录。")
        before = _snap(row)
        row.delete()
        cache.bump(calendar.CALENDAR)
        audit.record(
            actor=actor,
            action="core.calendar_day_delete",
            object_type="core.calendar_day",
            object_id=day.isoformat(),
            before=before,
            after=None,
        )


# --- a year's holiday notice (国务院办公厅关于节假日安排的通知) ----------------------------

MIN_YEAR, MAX_YEAR = 2004, 2100
NOTICE_SOURCE = "国务院办公厅通知"


@dataclass(frozen=True)
class NoticePreview:
    """What saving the notice would do: ``days`` replace the year's current rows."""

    year: int
    status: str  # the year's status now: official / provisional / estimated
    days: list[NoticeDay]
    added: list[NoticeDay]  # dates not in the table now
    changed: list[tuple[dict[str, str], NoticeDay]]  # (the row now, the notice's day)
    removed: list[dict[str, str]]  # rows of the year the notice does not list


@dataclass(frozen=True)
class NoticeResult:
    year: int
    holidays: int
    workdays: int
    cases_recomputed: int


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed.one("year", f"年份应在 {MIN_YEAR} 到 {MAX_YEAR} 之间。")


def _notice_days(
    year: int, text: str, file_name: str, file_content: bytes | None
) -> list[NoticeDay]:
    _check_year(year)
    if file_content:
        if text.strip():
            raise ValidationFailed.one("text", "请粘贴通知的日期，或上传文件，二者选一。")
        return calendar_notice.parse_file(file_name, file_content, year)
    if not text.strip():
        raise ValidationFailed.one(
            "text", "请粘贴通知中的放假和调休上班日期，或上传 CSV/JSON 文件。"
        )
    return calendar_notice.parse_text(text, year)


def _rows_in(year: int, days: list[NoticeDay]) -> dict[dt.date, CalendarDay]:
    """The rows the notice replaces: the year's, and those of the previous December it lists."""
    outside = [d.date for d in days if d.date.year != year]
    rows = CalendarDay.objects.filter(date__year=year) | CalendarDay.objects.filter(
        date__in=outside
    )
    return {r.date: r for r in rows.order_by("date")}


def calendar_notice_preview(
    *, year: int, text: str = "", file_name: str = "", file_content: bytes | None = None
) -> NoticePreview:
    """Read the notice (``ValidationFailed`` naming each bad line) and compare it with the table.
    Writes nothing."""
    days = _notice_days(year, text, file_name, file_content)
    current = _rows_in(year, days)
    listed = {d.date for d in days}
    return NoticePreview(
        year=year,
        status=calendar.year_status(year),
        days=days,
        added=[d for d in days if d.date not in current],
        changed=[
            (_snap_row(current[d.date]), d)
            for d in days
            if d.date in current
            and (current[d.date].kind, current[d.date].name) != (d.kind, d.name)
        ],
        removed=[_snap_row(r) for day, r in current.items() if day not in listed],
    )


def _snap_row(row: CalendarDay) -> dict[str, str]:
    snap = _snap(row)
    assert snap is not None
    return snap


def calendar_notice_import(
    *,
    actor: str,
    year: int,
    notice: str = "",
    text: str = "",
    file_name: str = "",
    file_content: bytes | None = None,
) -> NoticeResult:
    """Enter a year's notice: its days replace the year's rows (and the listed days of the
    previous December), the year becomes official, the calendar's cache gets a new version, the
    due dates of unfinished cases counted across the year are recounted — all audited, in one
    transaction. The input is read again here, whatever a preview showed."""
    notice = notice.strip()
    if len(notice) > 200:
        raise ValidationFailed.one("notice", "通知名称或文号不超过 200 个字。")
    days = _notice_days(year, text, file_name, file_content)
    from shuzheng.cases import facade as cases

    with transaction.atomic():
        year_row = CalendarYear.objects.select_for_update().filter(year=year).first()
        current = _rows_in(year, days)
        before = {
            "status": year_row.status if year_row else calendar.ESTIMATED,
            "source": year_row.source if year_row else "",
            "notice": year_row.notice if year_row else "",
            "days": [_snap(r) for r in current.values()],
        }
        CalendarDay.objects.filter(pk__in=[r.pk for r in current.values()]).delete()
        CalendarDay.objects.bulk_create(
            [CalendarDay(date=d.date, kind=d.kind, name=d.name, source="notice") for d in days]
        )
        if year_row is None:
            year_row = CalendarYear(year=year)
        year_row.status = CalendarYear.Status.OFFICIAL
        year_row.source = NOTICE_SOURCE
        year_row.notice = notice
        year_row.save()
        cache.bump(calendar.CALENDAR)
        audit.record(
            actor=actor,
            action="core.calendar_notice_import",
            object_type="core.calendar_year",
            object_id=str(year),
            before=before,
            after={
                "status": year_row.status,
                "source": year_row.source,
                "notice": notice,
                "days": [
                    {"date": d.date.isoformat(), "kind": d.kind, "name": d.name} for d in days
                ],
            },
        )
        recomputed = cases.due_dates_recompute(actor=actor, year=year)
        if any(d.date.year != year for d in days):
            recomputed += cases.due_dates_recompute(actor=actor, year=year - 1)
    return NoticeResult(
        year=year,
        holidays=sum(d.kind == calendar_notice.HOLIDAY for d in days),
        workdays=sum(d.kind == calendar_notice.WORKDAY for d in days),
        cases_recomputed=recomputed,
    )


def calendar_provisional_load(*, actor: str, years: range) -> int:
    """Seed provisional years from the ``holidays`` package (years that have no row yet; the
    ``calendar_provisional`` command), audited; returns the days added."""
    with transaction.atomic():
        known = set(
            CalendarYear.objects.filter(year__in=list(years)).values_list("year", flat=True)
        )
        added = calendar_seed.seed_provisional(CalendarDay, CalendarYear, years)
        new_years = [y for y in years if y not in known]
        if new_years:
            audit.record(
                actor=actor,
                action="core.calendar_provisional_load",
                object_type="core.calendar_year",
                object_id=",".join(str(y) for y in new_years),
                before=None,
                after={
                    "years": new_years,
                    "days": added,
                    "source": calendar_seed.PROVISIONAL_SOURCE,
                },
            )
    return added
