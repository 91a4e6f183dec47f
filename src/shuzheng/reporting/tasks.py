"""Background tasks (django-tasks; the database worker runs them, ``shuzheng serve`` enqueues
``remind`` daily).

``remind`` (催报): ``services.tasks_remind`` messages each unit whose report is not submitted
within three days of its deadline — once per unit, report and period, never twice.
"""

from __future__ import annotations

from django_tasks import task

from shuzheng.core.workers import retry_safe
from shuzheng.reporting import services


def remind_now() -> int:
    return services.tasks_remind()


@retry_safe  # each task is marked reminded under its lock with its message: nobody twice
@task()
def remind() -> int:
    """催报 before the deadline to the units that have not reported (daily). Idempotent."""
    return remind_now()
