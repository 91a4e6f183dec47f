"""Administrator writes to core tables, audited in the same transaction; each write of the
working-day calendar gives its cache a new version (``core.calendar.CALENDAR``) in that
transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from shuzheng.audit import facade as audit
from shuzheng.core import cache, calendar
from shuzheng.core.errors import NotFound
from shuzheng.core.models import CalendarDay


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
