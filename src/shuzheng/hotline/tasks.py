"""Background tasks of the hotline (django-tasks; the database worker runs them)."""

from __future__ import annotations

from django_tasks import task

from shuzheng.core.workers import retry_safe
from shuzheng.hotline import daycounts
from shuzheng.hotline.services import escalate_overdue, warnings_refresh


@retry_safe  # recomputes flags from the data and escalates each ticket once: a rerun converges
@task()
def refresh_warnings() -> dict[str, int]:
    """超时未签收 tickets escalated (audited, once each) and yellow/red/overdue flags of open
    tickets recomputed. Idempotent: safe to run any time (e.g. every 10 minutes)."""
    return {"escalated": escalate_overdue(), "warnings": warnings_refresh()}


@retry_safe  # stores only the days not stored yet, each in one transaction: a rerun converges
@task()
def day_counts() -> dict[str, int]:
    """弱信号's per-day counts of the closed days not stored yet (``daycounts.refresh``); hourly,
    so a day is stored soon after midnight (until then it is counted live)."""
    return {"days": daycounts.refresh()}
