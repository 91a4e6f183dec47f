"""Background tasks of 一网统管 (django-tasks; the database worker runs them)."""

from __future__ import annotations

from django_tasks import task

from shuzheng.core.workers import retry_safe
from shuzheng.governance.services.computed import computed_run


@retry_safe  # one reading per indicator and hour: a rerun within the hour is a duplicate
@task()
def compute_indicators() -> dict[str, int]:
    """The platform's own indicators (按期办结率, 数据共享调用量): one reading each, hourly."""
    result = computed_run()
    return {"accepted": result.accepted, "alerts": len(result.alerts)}


@retry_safe  # once per event, level and time limit (EventWarning): a rerun sends nothing twice
@task()
def warn_events() -> dict[str, int]:
    """处置时限预警: tell the handling department and the center when an event turns yellow/red."""
    from shuzheng.governance.services.event_warnings import warn_events as run

    return {"sent": run()}
