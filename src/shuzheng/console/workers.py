"""Task workers: heartbeats, lost workers and the tasks they were running (docs/howto/worker.md).

A worker (``shuzheng worker``) registers a ``core.models.TaskWorker`` row when it starts, beats
every ``WORKER_HEARTBEAT_SECONDS`` from a thread, and marks the row stopped when it exits
cleanly. A worker is *lost* when ``serve`` saw its process die (``worker_lost``) or when it has
been silent for ``WORKER_LOST_SECONDS`` (``workers_mark_silent``). ``tasks_recover`` then looks at
the tasks django-tasks-db still shows RUNNING whose last claimant (the last of
``DBTaskResult.worker_ids``) is lost or stopped:

- a task marked ``core.workers.retry_safe`` that has been claimed once goes back to READY (the
  next claim appends the new worker to ``worker_ids``, so it is retried exactly once);
- any other such task — not retry-safe, or already retried — is marked FAILED with
  ``core.workers.WorkerLost`` as its exception.

Each change is one conditional UPDATE (status RUNNING and the same ``started_at``), so two
recoveries never handle a task twice; each is audited in its transaction and counted on the lost
worker's row, which ``/healthz`` reads.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import get_random_string

from shuzheng.audit import facade as audit
from shuzheng.core.models import TaskWorker
from shuzheng.core.workers import WorkerLost, is_retry_safe, lost_after

logger = logging.getLogger(__name__)

ACTOR = "system:worker"
# a task is run at most this many times: the first claim and one retry after a lost worker
MAX_CLAIMS = 2
# rows of workers that stopped or were lost are kept this long
KEEP = dt.timedelta(days=7)
WORKER_LOST_PATH = f"{WorkerLost.__module__}.{WorkerLost.__qualname__}"

State = TaskWorker.State


def new_worker_id() -> str:
    """``<host>-<random>``, at most 64 characters (django-tasks-db's limit)."""
    return f"{socket.gethostname()[:40]}-{get_random_string(12)}"


def worker_start(*, worker_id: str, pid: int | None = None) -> None:
    """Register a worker that starts (again, if the id was used before), and drop old rows."""
    now = timezone.now()
    with transaction.atomic():
        TaskWorker.objects.update_or_create(
            worker_id=worker_id,
            defaults={
                "hostname": socket.gethostname()[:255],
                "pid": pid if pid is not None else os.getpid(),
                "state": State.RUNNING,
                "started_at": now,
                "beat_at": now,
                "stopped_at": None,
                "reason": "",
            },
        )
        TaskWorker.objects.filter(stopped_at__lt=now - KEEP).delete()
        audit.record(
            actor=ACTOR,
            action="console.worker_started",
            object_type="tasks.worker",
            object_id=worker_id,
            after={"pid": pid if pid is not None else os.getpid()},
        )


def worker_beat(*, worker_id: str) -> bool:
    """One heartbeat. False when the row no longer says running: the worker was declared lost
    (its task may already run elsewhere), so it must stop."""
    n = TaskWorker.objects.filter(worker_id=worker_id, state=State.RUNNING).update(
        beat_at=timezone.now()
    )
    return n == 1


def worker_stop(*, worker_id: str) -> None:
    """A worker that exits cleanly (its task, if any, finished or was marked failed)."""
    with transaction.atomic():
        n = TaskWorker.objects.filter(worker_id=worker_id, state=State.RUNNING).update(
            state=State.STOPPED, stopped_at=timezone.now(), reason="正常停止"
        )
        if n:
            audit.record(
                actor=ACTOR,
                action="console.worker_stopped",
                object_type="tasks.worker",
                object_id=worker_id,
                before={"state": State.RUNNING},
                after={"state": State.STOPPED},
            )


def worker_lost(*, worker_id: str, reason: str) -> bool:
    """Declare a running worker lost (``serve`` saw it die; or it fell silent). False when it was
    not running (already stopped or lost)."""
    with transaction.atomic():
        n = TaskWorker.objects.filter(worker_id=worker_id, state=State.RUNNING).update(
            state=State.LOST, stopped_at=timezone.now(), reason=reason[:200]
        )
        if n:
            audit.record(
                actor=ACTOR,
                action="console.worker_lost",
                object_type="tasks.worker",
                object_id=worker_id,
                before={"state": State.RUNNING},
                after={"state": State.LOST, "reason": reason},
            )
    return n == 1


def workers_mark_silent(*, now: dt.datetime | None = None) -> list[str]:
    """Declare lost every running worker whose last heartbeat is older than the limit."""
    now = now or timezone.now()
    limit = lost_after()
    silent = TaskWorker.objects.filter(state=State.RUNNING, beat_at__lt=now - limit)
    lost = []
    for worker_id, beat_at in silent.values_list("worker_id", "beat_at"):
        seconds = int((now - beat_at).total_seconds())
        if worker_lost(worker_id=worker_id, reason=f"{seconds} 秒无心跳"):
            lost.append(worker_id)
    return lost


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)  # task ids
    failed: list[str] = field(default_factory=list)


def tasks_recover(*, now: dt.datetime | None = None) -> Recovery:
    """Re-queue or fail the RUNNING tasks whose worker is lost (see the module's docstring)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    workers_mark_silent(now=now)
    running = list(
        DBTaskResult.objects.filter(status="RUNNING").only(
            "id", "task_path", "worker_ids", "started_at"
        )
    )
    claimants = {str(t.worker_ids[-1]) for t in running if t.worker_ids}
    gone = dict(
        TaskWorker.objects.filter(
            worker_id__in=claimants, state__in=[State.LOST, State.STOPPED]
        ).values_list("worker_id", "reason")
    )
    out = Recovery()
    for t in running:
        worker_id = str(t.worker_ids[-1]) if t.worker_ids else ""
        if worker_id not in gone:
            continue  # its worker is alive, or is not one of ours to judge
        claims = len(t.worker_ids)
        safe = is_retry_safe(t.task_path)
        task_id = str(t.pk)
        with transaction.atomic():
            same = DBTaskResult.objects.filter(pk=t.pk, status="RUNNING", started_at=t.started_at)
            if safe and claims < MAX_CLAIMS:
                changed = same.update(status="READY", started_at=None)
                outcome, counter = "READY", "tasks_requeued"
            else:
                why = "该任务已重试过一次" if safe else "该任务未标记为可安全重试"
                changed = same.update(
                    status="FAILED",
                    finished_at=now,
                    return_value=None,
                    exception_class_path=WORKER_LOST_PATH,
                    traceback=(
                        f"任务执行进程 {worker_id} 在运行此任务时丢失（{gone[worker_id]}）；"
                        f"{why}，不再自动执行。\n"
                    ),
                )
                outcome, counter = "FAILED", "tasks_failed"
            if not changed:
                continue  # another recovery (or the worker itself) got there first
            TaskWorker.objects.filter(worker_id=worker_id).update(**{counter: F(counter) + 1})
            audit.record(
                actor=ACTOR,
                action="console.task_requeued" if outcome == "READY" else "console.task_failed",
                object_type="tasks.task",
                object_id=task_id,
                before={"status": "RUNNING", "worker": worker_id, "claims": claims},
                after={"status": outcome, "task": t.task_path, "retry_safe": safe},
            )
        (out.requeued if outcome == "READY" else out.failed).append(task_id)
        logger.warning(
            "task %s (%s) of lost worker %s: %s", task_id, t.task_path, worker_id, outcome
        )
    return out


class Heartbeat(threading.Thread):
    """Beats every ``WORKER_HEARTBEAT_SECONDS``; every few beats also recovers the tasks of
    workers that fell silent. When a beat finds the worker declared lost, ``on_lost`` runs (the
    worker command exits at once: its task is already being retried or has been failed)."""

    def __init__(self, worker_id: str, on_lost: Callable[[], None]) -> None:
        super().__init__(name="worker-heartbeat", daemon=True)
        self.worker_id = worker_id
        self.on_lost = on_lost
        self.every = settings.WORKER_HEARTBEAT_SECONDS
        # recover about twice per lost-after period
        self.recover_each = max(1, int(settings.WORKER_LOST_SECONDS / 2 / self.every))
        self._stop_event = threading.Event()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=self.every + 5)

    def run(self) -> None:
        beats = 0
        try:
            while not self._stop_event.wait(self.every):
                try:
                    close_old_connections()
                    if not worker_beat(worker_id=self.worker_id):
                        logger.error("worker %s was declared lost; exiting", self.worker_id)
                        self.on_lost()
                        return
                    beats += 1
                    if beats % self.recover_each == 0:
                        tasks_recover()
                except Exception:  # a missed beat is retried at the next one
                    logger.exception("worker heartbeat failed")
        finally:
            connection.close()
