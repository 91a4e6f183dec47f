"""The one active scheduler (issue 22): the lease, slots run at most once, takeover.

In-process tests pass the time explicitly (the lease compares the times it is given); the
failover test at the end runs two real ``shuzheng scheduler`` processes on PostgreSQL and kills
the leader with SIGKILL.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from shuzheng.audit.models import AuditRecord
from shuzheng.console import scheduler
from shuzheng.console.models import ScheduledRun, SchedulerLease

T0 = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
LEASE = 30.0


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.mark.django_db
def test_one_holder_at_a_time_and_takeover_only_after_expiry():
    assert scheduler.lease_acquire(holder="a", now=_at(0), seconds=LEASE)
    assert not scheduler.lease_acquire(holder="b", now=_at(1), seconds=LEASE)
    assert scheduler.lease_acquire(holder="a", now=_at(10), seconds=LEASE)  # renewed to 40
    assert not scheduler.lease_acquire(holder="b", now=_at(39), seconds=LEASE)
    assert scheduler.lease_holder(now=_at(39)) == "a"
    # a stops renewing: at 40 its lease has expired and b takes it over
    assert scheduler.lease_holder(now=_at(40)) is None
    assert scheduler.lease_acquire(holder="b", now=_at(40), seconds=LEASE)
    assert not scheduler.lease_acquire(holder="a", now=_at(41), seconds=LEASE)  # a is fenced
    lease = SchedulerLease.objects.get(name=scheduler.LEASE)
    assert (lease.holder, lease.acquired_at, lease.expires_at) == ("b", _at(40), _at(70))
    changes = list(
        AuditRecord.objects.filter(action="console.scheduler_leader")
        .order_by("id")
        .values_list("before", "after")
    )
    assert changes == [({"holder": None}, {"holder": "a"}), ({"holder": "a"}, {"holder": "b"})]


@pytest.mark.django_db
def test_a_released_lease_is_taken_at_once():
    assert scheduler.lease_acquire(holder="a", now=_at(0), seconds=LEASE)
    assert scheduler.lease_release(holder="a", now=_at(5))
    assert scheduler.lease_acquire(holder="b", now=_at(5), seconds=LEASE)
    assert AuditRecord.objects.filter(action="console.scheduler_released").count() == 1


def _counting_job(every: float, calls: list[int]) -> scheduler.Job:
    return scheduler.Job("test.count", every, "call", lambda: calls.append(1))


@pytest.mark.django_db
def test_a_slot_runs_once_whoever_leads_and_only_for_the_holder():
    calls: list[int] = []
    job = _counting_job(60, calls)
    scheduler.lease_acquire(holder="a", now=_at(0), seconds=LEASE)
    assert scheduler.slot_run(job=job, holder="a", now=_at(1))
    assert not scheduler.slot_run(job=job, holder="a", now=_at(20))  # same minute
    with pytest.raises(scheduler.NotLeader):  # b does not hold the lease
        scheduler.slot_run(job=job, holder="b", now=_at(21))
    # a dies; b takes over within the same minute: the minute's slot is not run again
    scheduler.lease_acquire(holder="b", now=_at(31), seconds=LEASE)
    assert not scheduler.slot_run(job=job, holder="b", now=_at(31))
    assert scheduler.slot_run(job=job, holder="b", now=_at(60))  # the next minute runs
    assert len(calls) == 2
    runs = list(ScheduledRun.objects.order_by("slot").values_list("slot", "holder"))
    assert runs == [(int(_at(1).timestamp()) // 60, "a"), (int(_at(60).timestamp()) // 60, "b")]


@pytest.mark.django_db
def test_a_failed_run_leaves_its_slot_free_for_a_retry():
    def boom() -> None:
        raise RuntimeError("down")

    job = scheduler.Job("test.boom", 60, "call", boom)
    scheduler.lease_acquire(holder="a", now=_at(0), seconds=LEASE)
    with pytest.raises(RuntimeError):
        scheduler.slot_run(job=job, holder="a", now=_at(1))
    assert not ScheduledRun.objects.exists()  # rolled back with the run


@pytest.mark.django_db
def test_a_task_job_enqueues_its_task_with_the_slot_row(settings):
    from django_tasks_db.models import DBTaskResult

    from shuzheng.cases.tasks import refresh_warnings

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    job = scheduler.Job("cases.refresh_warnings", 600, "task", refresh_warnings.enqueue)
    scheduler.lease_acquire(holder="a", now=_at(0), seconds=LEASE)
    assert scheduler.slot_run(job=job, holder="a", now=_at(1))
    assert not scheduler.slot_run(job=job, holder="a", now=_at(2))
    assert list(DBTaskResult.objects.values_list("task_path", "status")) == [
        ("shuzheng.cases.tasks.refresh_warnings", "READY")
    ]


def test_every_platform_job_has_a_unique_name_and_a_period():
    jobs = scheduler.jobs()
    assert len({j.name for j in jobs}) == len(jobs)
    names = {j.name for j in jobs}
    assert {
        "cases.refresh_warnings",
        "audit.anchor",
        "licenses.expire_licenses",
        "notify.purge_sms",
        "notify.resend_sms",
    } <= names
    assert all(j.every > 0 for j in jobs)


# --- two real schedulers on PostgreSQL ----------------------------------------------------------

CLI = [sys.executable, "-m", "shuzheng.cli"]
FAST_JOB = "cases.refresh_warnings"
EVERY = 0.5  # seconds per slot in the failover test
FAILOVER_LEASE = 3.0  # a stall of 2.5 s would hand the lease over early
RENEW = 0.5
MARGIN = 2.5  # a busy 2-core machine delays a process by this much at worst (measured: <0.5)


def _database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] or "postgres"
    if db["PASSWORD"]:
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _scheduler_env() -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "SHUZHENG_TESTING": "",
        "SHUZHENG_TEST_TODAY": "",
        "SHUZHENG_DEMO": "1",
        "SHUZHENG_LOG_LEVEL": "WARNING",
    }


def _start_scheduler(log) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    return subprocess.Popen(
        [
            *CLI,
            "scheduler",
            "--only",
            FAST_JOB,
            "--every",
            f"{FAST_JOB}={EVERY}",
            "--lease",
            str(FAILOVER_LEASE),
            "--renew",
            str(RENEW),
        ],
        env=_scheduler_env(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _holder_pid(timeout: float) -> int | None:
    """The pid in the holder id of the valid lease (``<host>-<pid>-<random>``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = scheduler.lease_holder(now=scheduler.db_now())
        if holder:
            return int(holder.rsplit("-", 2)[1])
        time.sleep(0.1)
    return None


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two scheduler processes share the database: needs PostgreSQL (DATABASE_URL=postgres"
    "://…); on SQLite the in-process lease tests above run",
)
@pytest.mark.django_db(transaction=True)
def test_failover_kill_the_leader_the_standby_takes_over_no_slot_twice_no_long_gap(tmp_path):
    from django_tasks_db.models import DBTaskResult

    log = open(tmp_path / "schedulers.log", "w")  # noqa: SIM115 - closed in finally
    procs = [_start_scheduler(log), _start_scheduler(log)]
    try:
        leader = _holder_pid(timeout=90)  # two Django start-ups on a busy machine
        assert leader in {p.pid for p in procs}, (tmp_path / "schedulers.log").read_text()
        time.sleep(3 * EVERY)  # a few slots under the first leader
        assert _holder_pid(timeout=1) == leader  # one leader, kept while it renews
        log.flush()
        assert (tmp_path / "schedulers.log").read_text().count("now leading") == 1
        killed_at = scheduler.db_now()
        os.kill(leader, signal.SIGKILL)
        standby = _holder_pid_other_than(leader, timeout=FAILOVER_LEASE + RENEW + 3)
        took_over = scheduler.db_now()
        assert standby is not None and standby != leader
        assert (took_over - killed_at).total_seconds() <= FAILOVER_LEASE + RENEW + MARGIN
        time.sleep(3 * EVERY)  # a few slots under the new leader
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            p.wait(timeout=15)
        log.close()

    runs = list(ScheduledRun.objects.filter(job=FAST_JOB).order_by("slot"))
    holders = {r.holder.rsplit("-", 2)[1] for r in runs}
    assert holders == {str(leader), str(standby)}  # both led, one after the other
    slots = [r.slot for r in runs]
    assert len(slots) == len(set(slots))  # the constraint held: no slot twice
    # each run enqueued exactly one task, in the same transaction as its slot row
    enqueued = DBTaskResult.objects.filter(task_path="shuzheng.cases.tasks.refresh_warnings")
    assert enqueued.count() == len(runs)
    # no gap between consecutive runs longer than the lease plus one renewal and one slot
    gaps = [(b - a) * EVERY for a, b in itertools.pairwise(slots)]
    assert max(gaps) <= FAILOVER_LEASE + RENEW + EVERY + MARGIN, gaps
    # the survivor released its lease on SIGTERM (audited)
    assert AuditRecord.objects.filter(action="console.scheduler_released").count() == 1


def _holder_pid_other_than(pid: int, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = _holder_pid(timeout=0.2)
        if now is not None and now != pid:
            return now
        time.sleep(0.05)
    return None
