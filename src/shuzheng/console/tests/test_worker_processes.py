"""Two ``shuzheng worker`` processes on one queue (issue 22): every task runs exactly once.

The workers claim with ``SELECT … FOR UPDATE SKIP LOCKED`` (django-tasks-db's ``get_locked``)
inside a transaction, so two workers never take the same row. PostgreSQL only: that is where
several workers on several machines share a queue.
"""

from __future__ import annotations

import collections
import signal
import subprocess
import time

import pytest
from django.db import connection

from shuzheng.console.tests.test_scheduler import CLI, _scheduler_env
from shuzheng.core.models import TaskWorker

N = 16
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="several worker processes share the queue: needs PostgreSQL (DATABASE_URL=postgres"
    "://…); SQLite serialises its writers",
)
@pytest.mark.django_db(transaction=True)
def test_two_workers_run_each_of_n_tasks_exactly_once(tmp_path, settings):
    from django_tasks_db.models import DBTaskResult

    from shuzheng.console.tests.tasks_for_tests import note_run

    settings.TASKS = DB_TASKS
    runs = tmp_path / "runs.txt"
    log = open(tmp_path / "workers.log", "w")  # noqa: SIM115 - closed in finally
    argv = [*CLI, "worker", "--interval", "0.1", "--no-startup-delay"]
    procs = [
        subprocess.Popen(
            [*argv, "--worker-id", f"w{i}"], env=_scheduler_env(), stdout=log, stderr=log
        )
        for i in (1, 2)
    ]
    try:
        deadline = time.monotonic() + 90  # two Django start-ups on a busy machine
        while TaskWorker.objects.filter(state="running").count() < 2:
            assert time.monotonic() < deadline, (tmp_path / "workers.log").read_text()
            assert all(p.poll() is None for p in procs), (tmp_path / "workers.log").read_text()
            time.sleep(0.2)
        ids = [note_run.enqueue(str(runs), n, 0.2).id for n in range(N)]
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.filter(pk__in=ids, status="SUCCESSFUL").count() < N:
            assert time.monotonic() < deadline, list(
                DBTaskResult.objects.filter(pk__in=ids).values_list("status", flat=True)
            )
            time.sleep(0.2)
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=30)
        log.close()

    lines = [line.split() for line in runs.read_text().splitlines()]
    counts = collections.Counter(int(n) for n, _pid in lines)
    assert counts == dict.fromkeys(range(N), 1)  # each task ran exactly once
    claims = list(DBTaskResult.objects.filter(pk__in=ids).values_list("worker_ids", flat=True))
    assert all(len(c) == 1 for c in claims), claims  # and was claimed once
    by_worker = collections.Counter(c[0] for c in claims)
    assert set(by_worker) == {"w1", "w2"}, by_worker  # both workers took tasks
    assert {pid for _n, pid in lines} == {str(p.pid) for p in procs}
