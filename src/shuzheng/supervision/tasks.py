"""Background tasks (django-tasks): take ids, idempotent, enqueued with on_commit."""

from __future__ import annotations

from django_tasks import task

from shuzheng.core.workers import retry_safe
from shuzheng.supervision import services


@retry_safe  # one 催办 per task per week, keyed (task, period): a rerun reminds nobody twice
@task()
def send_reminders() -> int:
    """催办 the open tasks overdue or due within 5 working days, once per task per ISO week
    (``shuzheng scheduler`` runs it daily; working days only)."""
    return services.reminders_send()
