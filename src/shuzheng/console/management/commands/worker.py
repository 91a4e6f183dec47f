"""``shuzheng worker``: django-tasks-db's ``db_worker`` with a heartbeat and recovery.

On start it registers its heartbeat row and recovers the tasks of lost workers (re-queued once
when ``retry_safe``, otherwise failed); a thread then beats every few seconds and recovers
again now and then (``console.workers``). ``serve`` runs one; more may run on other hosts
against the same database. Never autoreloads: a reload would cut a running task.
"""

from __future__ import annotations

import os
from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from shuzheng.console import workers


class Command(DbWorkerCommand):
    help = (
        "Run the task worker: django-tasks-db's db_worker plus a heartbeat, and re-queue or "
        "fail the tasks of workers that were lost."
    )

    def add_arguments(self, parser: Any) -> None:
        super().add_arguments(parser)
        parser.set_defaults(worker_id=workers.new_worker_id(), reload=False)

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = options["worker_id"]
        options["reload"] = False
        workers.worker_start(worker_id=worker_id)
        recovered = workers.tasks_recover()
        if recovered.requeued or recovered.failed:
            self.stderr.write(
                f"worker {worker_id}: tasks of lost workers re-queued {len(recovered.requeued)}, "
                f"failed {len(recovered.failed)}"
            )
        beat = workers.Heartbeat(worker_id, on_lost=lambda: os._exit(70))
        beat.start()
        try:
            super().handle(*args, **options)
        finally:
            beat.stop()
            workers.worker_stop(worker_id=worker_id)
