"""Background tasks of the hotline (django-tasks; the database worker runs them)."""

from __future__ import annotations

from django_tasks import task

from shuzheng.core.workers import retry_safe
from shuzheng.hotline.services import escalate_overdue, warnings_refresh


@retry_safe  # recomputes flags from the data and escalates each ticket once: a rerun converges
@task()
def refresh_warnings() -> dict[str, int]:
    """超时未签收 tickets escalated (audited, once each) and yellow/red/overdue flags of open
    tickets recomputed. Idempotent: safe to run any time (e.g. every 10 minutes)."""
    return {"escalated": escalate_overdue(), "warnings": warnings_refresh()}
