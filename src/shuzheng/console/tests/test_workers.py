"""Task workers: heartbeats, lost workers, and the tasks they were running (issue 16 item 1).

A task left RUNNING by a lost worker is re-queued exactly once when it is ``retry_safe`` and
failed (``WorkerLost``, audited, counted in /healthz) otherwise; /healthz says "degraded" when no
worker is alive or the queue lags."""

import datetime as dt
import signal

import pytest
import time_machine
from django.core.management import call_command
from django.test import override_settings
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from shuzheng.audit.models import AuditRecord
from shuzheng.cases.tasks import refresh_warnings
from shuzheng.console import workers
from shuzheng.core.models import TaskWorker
from shuzheng.core.workers import is_retry_safe
from shuzheng.licenses.tasks import expire_licenses
from shuzheng.proactive.tasks import grant_due, run_policies

pytestmark = pytest.mark.django_db

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
T0 = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)


@task()
def not_idempotent() -> None:
    """A task that does not say it is safe to run twice."""


def _running(t, worker_id: str) -> DBTaskResult:
    """``t`` enqueued in the database and claimed by ``worker_id``, as db_worker claims."""
    row = DBTaskResult.objects.get(pk=t.enqueue().id)
    row.claim(worker_id)
    return row


def _worker(worker_id: str) -> None:
    workers.worker_start(worker_id=worker_id, pid=4242)


def _audits(action: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=action).order_by("id"))


def test_our_periodic_tasks_are_marked_retry_safe_and_others_are_not():
    for t in (refresh_warnings, expire_licenses, run_policies, grant_due):
        assert is_retry_safe(t.module_path), t.module_path
    assert not is_retry_safe(not_idempotent.module_path)
    assert not is_retry_safe("shuzheng.nowhere.tasks.gone")


@override_settings(TASKS=DB_TASKS)
def test_a_retry_safe_task_of_a_lost_worker_is_requeued_exactly_once_then_failed():
    with time_machine.travel(T0, tick=False):
        _worker("w1")
        row = _running(refresh_warnings, "w1")
        assert workers.worker_lost(worker_id="w1", reason="进程退出，返回码 -9")

        out = workers.tasks_recover()
        assert out.requeued == [str(row.pk)] and out.failed == []
        row.refresh_from_db()
        assert row.status == "READY" and row.started_at is None and row.worker_ids == ["w1"]
        # a second recovery (another worker, or the next round) finds nothing to do
        assert workers.tasks_recover() == workers.Recovery()
        assert len(_audits("console.task_requeued")) == 1

        # the retry is claimed by a new worker, which is lost too: no third run
        _worker("w2")
        row.claim("w2")
        workers.worker_lost(worker_id="w2", reason="进程退出，返回码 -9")
        out = workers.tasks_recover()
    assert out.requeued == [] and out.failed == [str(row.pk)]
    row.refresh_from_db()
    assert row.status == "FAILED" and row.worker_ids == ["w1", "w2"]
    assert row.exception_class_path == "shuzheng.core.workers.WorkerLost"
    assert "w2" in row.traceback and "已重试过一次" in row.traceback
    assert row.task_result.errors[0].exception_class.__name__ == "WorkerLost"
    counts = dict(TaskWorker.objects.values_list("worker_id", "tasks_requeued"))
    assert counts == {"w1": 1, "w2": 0}
    assert TaskWorker.objects.get(worker_id="w2").tasks_failed == 1
    (failed,) = _audits("console.task_failed")
    assert failed.object_id == str(row.pk)
    assert failed.after["status"] == "FAILED" and failed.before["worker"] == "w2"


@override_settings(TASKS=DB_TASKS)
def test_a_task_not_marked_retry_safe_is_failed_and_reported():
    _worker("w1")
    row = _running(not_idempotent, "w1")
    workers.worker_lost(worker_id="w1", reason="进程退出，返回码 -9")
    out = workers.tasks_recover()
    assert out.failed == [str(row.pk)] and out.requeued == []
    row.refresh_from_db()
    assert row.status == "FAILED" and row.finished_at is not None
    assert "未标记为可安全重试" in row.traceback and "返回码 -9" in row.traceback
    assert [a.object_id for a in _audits("console.task_failed")] == [str(row.pk)]
    assert [a.object_id for a in _audits("console.worker_lost")] == ["w1"]


@override_settings(TASKS=DB_TASKS)
def test_tasks_of_live_or_unknown_workers_are_left_alone():
    _worker("alive")
    mine = _running(refresh_warnings, "alive")
    theirs = _running(expire_licenses, "a-plain-db_worker")  # no heartbeat row: not ours to judge
    assert workers.tasks_recover() == workers.Recovery()
    assert DBTaskResult.objects.get(pk=mine.pk).status == "RUNNING"
    assert DBTaskResult.objects.get(pk=theirs.pk).status == "RUNNING"


@override_settings(TASKS=DB_TASKS, WORKER_LOST_SECONDS=60)
def test_a_silent_worker_is_declared_lost_and_fenced():
    with time_machine.travel(T0, tick=False) as traveller:
        _worker("quiet")
        _worker("beating")
        row = _running(grant_due, "quiet")
        traveller.shift(dt.timedelta(seconds=45))
        assert workers.worker_beat(worker_id="beating")
        traveller.shift(dt.timedelta(seconds=30))  # quiet: 75 s without a beat; beating: 30 s
        out = workers.tasks_recover()
    assert out.requeued == [str(row.pk)]
    states = dict(TaskWorker.objects.values_list("worker_id", "state"))
    assert states == {"quiet": "lost", "beating": "running"}
    assert TaskWorker.objects.get(worker_id="quiet").reason == "75 秒无心跳"
    # the silent worker comes back: its next beat tells it to stop (its task runs elsewhere)
    assert workers.worker_beat(worker_id="quiet") is False


@pytest.mark.django_db(transaction=True)  # db_worker closes its connection inside a test's atomic
@override_settings(TASKS=DB_TASKS)
def test_the_worker_command_recovers_at_start_then_runs_the_task():
    _worker("dead")
    row = _running(refresh_warnings, "dead")
    workers.worker_lost(worker_id="dead", reason="进程退出，返回码 -9")
    handlers = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command("worker", "--batch", "--no-startup-delay", "--worker-id", "next", verbosity=0)
    finally:
        for s, h in handlers.items():
            signal.signal(s, h)
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL" and row.worker_ids == ["dead", "next"]
    assert TaskWorker.objects.get(worker_id="next").state == "stopped"
    assert TaskWorker.objects.get(worker_id="dead").tasks_requeued == 1


@override_settings(TASKS=DB_TASKS, WORKER_LOST_SECONDS=60, TASKS_LAG_SECONDS=300)
def test_healthz_reports_workers_lag_and_recoveries(client):
    def health():
        r = client.get("/healthz")
        assert r.status_code == 200  # the web serves: a load balancer keeps the node
        return r.json()

    with time_machine.travel(T0, tick=False) as traveller:
        body = health()
        assert body["status"] == "degraded"
        assert body["checks"]["tasks"]["worker"] == {
            "status": "none",
            "alive": 0,
            "last_heartbeat_seconds": None,
        }
        _worker("w1")
        body = health()
        assert body["status"] == "ok" and body["checks"]["tasks"]["status"] == "ok"
        assert body["checks"]["tasks"]["worker"]["status"] == "alive"

        refresh_warnings.enqueue()
        traveller.shift(dt.timedelta(seconds=50))
        workers.worker_beat(worker_id="w1")
        tasks = health()["checks"]["tasks"]
        assert tasks["ready"] == 1 and tasks["oldest_ready_seconds"] == 50
        assert tasks["lagging"] is False

        traveller.shift(dt.timedelta(seconds=300))  # no beat for 300 s; the task waits 350 s
        body = health()
        tasks = body["checks"]["tasks"]
    assert body["status"] == "degraded" and tasks["status"] == "degraded"
    assert tasks["lagging"] is True and tasks["lag_threshold_seconds"] == 300
    assert tasks["worker"] == {"status": "dead", "alive": 0, "last_heartbeat_seconds": 300}
    assert body["checks"]["database"]["status"] == "ok"
    assert tasks["backend"] == "DatabaseBackend"


@override_settings(TASKS=DB_TASKS)
def test_healthz_counts_tasks_recovered_and_failed_after_a_lost_worker(client):
    _worker("w1")
    _running(refresh_warnings, "w1")
    workers.worker_lost(worker_id="w1", reason="进程退出，返回码 -9")
    _worker("w2")
    _running(not_idempotent, "w2")
    workers.worker_lost(worker_id="w2", reason="进程退出，返回码 -9")
    _worker("w3")
    workers.tasks_recover()
    tasks = client.get("/healthz").json()["checks"]["tasks"]
    assert tasks["recovery"] == {
        "window_seconds": 86400,
        "workers_lost": 2,
        "tasks_requeued": 1,
        "tasks_failed": 1,
    }
    assert tasks["worker"]["status"] == "alive"
