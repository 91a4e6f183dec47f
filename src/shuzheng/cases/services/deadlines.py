"""Working-day time limits of cases (承诺办结时限): the due date from acceptance, pauses
(补正, 特别程序) that stop the clock, one approved extension, and the yellow/red/overdue
warnings a periodic task refreshes. The clock itself is ``core.lifecycle``'s."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.cases.models import Case, CasePause, DeadlineSettings, WarningLevel
from shuzheng.cases.models import CaseStatus as S
from shuzheng.core import calendar, lifecycle


def recompute_due(case: Case) -> None:
    """The due date of an accepted case: its promised days plus the days paused and extended;
    ``due_date_provisional`` when it was counted across a year whose 调休 notice is not in."""
    if case.accepted_on is not None:
        due = lifecycle.Clock(
            started_on=case.accepted_on,
            limit_days=case.promised_days,
            paused_days=case.paused_days,
            extended_days=case.extended_days,
        ).deadline
        case.due_date, case.due_date_provisional = due.date, due.provisional


# statuses whose due date still matters (the case is not finished)
_CLOCK_STATUSES = (S.IN_PROGRESS, S.CORRECTION, S.SUSPENDED, S.APPROVED, S.DENIED)


def due_dates_recompute(*, actor: str, year: int) -> int:
    """Recount the due dates of unfinished cases whose count crosses ``year``, now that its
    notice is entered (call it in the transaction that entered it). Each case that changes is
    saved and audited; returns how many changed."""
    changed = 0
    rows = (
        Case.objects.select_for_update()
        .filter(
            status__in=_CLOCK_STATUSES,
            accepted_on__isnull=False,
            accepted_on__year__lte=year,
            due_date__year__gte=year,
        )
        .order_by("id")
    )
    for case in rows:
        before = (case.due_date, case.due_date_provisional)
        recompute_due(case)
        if (case.due_date, case.due_date_provisional) == before:
            continue
        case.save(update_fields=["due_date", "due_date_provisional"])
        audit.record(
            actor=actor,
            action="cases.due_date_recomputed",
            object_type="cases.case",
            object_id=case.case_no,
            before={
                "due_date": before[0].isoformat() if before[0] else None,
                "provisional": before[1],
            },
            after={
                "due_date": case.due_date.isoformat() if case.due_date else None,
                "provisional": case.due_date_provisional,
                "calendar_year": year,
            },
        )
        changed += 1
    return changed


def start_pause(case: Case, *, kind: str, reason: str, today: dt.date) -> None:
    """Stop the clock: 补正 (``correction``) or a 特别程序 (``special``)."""
    CasePause.objects.create(case=case, kind=kind, reason=reason, started_on=today)


def end_pause(case: Case, today: dt.date) -> int:
    """End the open pause, if any; the working days it lasted."""
    pause = case.pauses.filter(ended_on__isnull=True).order_by("-id").first()
    if pause is None:
        return 0
    pause.ended_on = today
    pause.working_days = lifecycle.pause_length(pause.started_on, today)
    pause.save(update_fields=["ended_on", "working_days"])
    return pause.working_days


def cases_refresh_warnings(*, today: dt.date | None = None) -> dict[str, int]:
    """Recompute the yellow/red/overdue flags of open cases (a periodic task runs this)."""
    today = today or timezone.localdate()
    cfg = DeadlineSettings.current()
    counts = {w.value: 0 for w in WarningLevel}
    cal = calendar.snapshot()
    open_cases = Case.objects.filter(status=S.IN_PROGRESS, due_date__isnull=False).only(
        "id", "due_date", "warning"
    )
    changed = []
    for case in open_cases.iterator(chunk_size=2000):
        assert case.due_date is not None
        level = lifecycle.warning_level(
            today, case.due_date, yellow_days=cfg.yellow_days, red_days=cfg.red_days, cal=cal
        )
        counts[level] += 1
        if case.warning != level:
            case.warning = level
            changed.append(case)
    with transaction.atomic():
        Case.objects.bulk_update(changed, ["warning"], batch_size=1000)
        audit.record(
            actor="system:deadlines",
            action="cases.warnings_refreshed",
            object_type="cases.deadlines",
            object_id=today.isoformat(),
            after={**counts, "changed": len(changed)},
        )
    return counts
