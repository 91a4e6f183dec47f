"""What the task workers share with the modules and the health check (docs/howto/worker.md).

- ``retry_safe``: a task says it may run again from the start after its worker was lost in the
  middle of a run (it is idempotent). The recovery in ``console.workers`` re-queues such a task
  once; any other task interrupted that way is marked failed with ``WorkerLost``.
- ``health``: the task section of ``/healthz`` — workers alive (heartbeat age), the queue's lag
  and the tasks recovered or failed after a lost worker.

The table is ``core.models.TaskWorker``; its writes (audited) live in ``console.workers``, as the
calendar's do, because ``core`` may not import ``audit``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task

from shuzheng.core.models import TaskWorker

TaskT = TypeVar("TaskT", bound=Task[Any, Any])

_RETRY_SAFE: set[str] = set()

# what /healthz counts of recoveries: the last day
RECOVERY_WINDOW = dt.timedelta(days=1)


class WorkerLost(Exception):
    """Recorded as the exception of a task whose worker was lost while it ran."""


def retry_safe(task: TaskT) -> TaskT:
    """Mark a django-tasks task as safe to run again after its worker was lost mid-run.

    Put it above ``@task()``. Only for idempotent tasks: a second run from the start must leave
    the same result as one run (each write is checked or keyed, side effects are keyed)."""
    _RETRY_SAFE.add(task.module_path)
    return task


def is_retry_safe(task_path: str) -> bool:
    """Whether the task at ``task_path`` (``DBTaskResult.task_path``) is marked ``retry_safe``;
    importing it runs its module's decorators. A task that no longer imports is not."""
    try:
        import_string(task_path)
    except ImportError:
        return False
    return task_path in _RETRY_SAFE


def lost_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.WORKER_LOST_SECONDS)


def _age(now: dt.datetime, then: dt.datetime | None) -> int | None:
    return None if then is None else max(0, int((now - then).total_seconds()))


def health(now: dt.datetime | None = None) -> dict[str, Any]:
    """The database task backend's health: the fields /healthz has always had (``ready``,
    ``oldest_ready_seconds``) plus workers, lag and recoveries. ``status`` is "ok", or
    "degraded" when no worker is alive or the queue lags."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    ready = DBTaskResult.objects.filter(status="READY")
    oldest = ready.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    oldest_seconds = _age(now, oldest) or 0
    lagging = oldest_seconds > settings.TASKS_LAG_SECONDS

    alive = TaskWorker.objects.filter(
        state=TaskWorker.State.RUNNING, beat_at__gte=now - lost_after()
    ).count()
    last_beat = TaskWorker.objects.aggregate(last=Max("beat_at"))["last"]
    if alive:
        worker_status = "alive"
    elif last_beat is None:
        worker_status = "none"  # no worker has ever run against this database
    else:
        worker_status = "dead"

    since = now - RECOVERY_WINDOW
    lost = TaskWorker.objects.filter(state=TaskWorker.State.LOST, stopped_at__gte=since)
    sums = lost.aggregate(requeued=Sum("tasks_requeued"), failed=Sum("tasks_failed"))
    return {
        "status": "ok" if alive and not lagging else "degraded",
        "ready": ready.count(),
        "oldest_ready_seconds": oldest_seconds,
        "lagging": lagging,
        "lag_threshold_seconds": int(settings.TASKS_LAG_SECONDS),
        "worker": {
            "status": worker_status,
            "alive": alive,
            "last_heartbeat_seconds": _age(now, last_beat),
        },
        "recovery": {
            "window_seconds": int(RECOVERY_WINDOW.total_seconds()),
            "workers_lost": lost.count(),
            "tasks_requeued": sums["requeued"] or 0,
            "tasks_failed": sums["failed"] or 0,
        },
    }
