"""Background tasks of 预约办理 (django-tasks; the database worker runs them)."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from shuzheng.appointments import services
from shuzheng.core.workers import retry_safe

# nobody is texted at night: a run outside these hours waits for the next one
DAY_HOURS = range(9, 21)


@retry_safe  # each booking is marked reminded under its lock: nobody is texted twice
@task()
def send_reminders() -> int:
    """Text tomorrow's bookings not reminded yet (from 09:00 to 21:00; ``shuzheng serve``
    runs it hourly). Idempotent: safe to run any time."""
    if timezone.localtime().hour not in DAY_HOURS:
        return 0
    return services.reminders_send()
