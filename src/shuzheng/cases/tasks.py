"""Background tasks of the cases module (django-tasks; the database worker runs them)."""

from __future__ import annotations

from django_tasks import task

from shuzheng.cases.services import cases_refresh_warnings
from shuzheng.core.workers import retry_safe


@retry_safe  # one transaction recomputing flags from the data: a rerun converges
@task()
def refresh_warnings() -> dict[str, int]:
    """Recompute yellow/red/overdue flags of open cases. Idempotent: safe to run any time."""
    return cases_refresh_warnings()
