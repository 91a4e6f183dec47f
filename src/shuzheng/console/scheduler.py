"""The one active scheduler (``shuzheng scheduler``; docs/deploy/processes.md).

Any number of schedulers may run, on any machines; one of them leads. Leadership is a lease:
the row ``SchedulerLease(name="scheduler")`` names its holder and when the lease expires. The
leader renews it every ``renew`` seconds (a third of the lease by default) from its own
thread; a standby tries every ``renew`` seconds and takes the row over once it has expired, so
a leader that dies (even ``kill -9``, or a machine gone) is replaced within lease + renew
seconds. Every change of holder is a compare-and-swap (``UPDATE … WHERE holder = <the one read>
AND expires_at = <the one read>``), audited in its transaction; a clean stop releases the lease
at once. Times are the database's (``clock_timestamp()`` on PostgreSQL), not each machine's.

The leader runs the jobs of ``jobs()``. Three kinds:

- ``task``: enqueue a django-tasks task for the workers (``shuzheng worker``);
- ``call``: run a function here (the audit anchor, pruning this table);
- ``drain``: run a function here that takes whatever is pending (audit sealing, SMS dispatch)
  and is safe to run from several processes at once (the audit head lock; SMS rows taken with
  ``SKIP LOCKED``). No slot is recorded for these: they run every half second.

A ``task`` or ``call`` job runs once per *slot* (seconds since the epoch // ``every``): the
``ScheduledRun(job, slot)`` row is written in the same transaction as the enqueued task row (or
the call's writes), and the unique constraint on (job, slot) means a slot runs at most once
even if two schedulers both believed they led for a moment. A slot missed while nobody led
(at most lease + renew seconds after the leader died) is not run late: the new leader runs the
current slot, and each job is idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from shuzheng.audit import facade as audit
from shuzheng.console.models import ScheduledRun, SchedulerLease

logger = logging.getLogger(__name__)

LEASE = "scheduler"
ACTOR = "system:scheduler"
KEEP_RUNS = dt.timedelta(days=7)

Kind = Literal["task", "call", "drain"]


@dataclass(frozen=True)
class Job:
    name: str
    every: float  # seconds
    kind: Kind
    run: Callable[[], object]
    help: str = ""

    def slot(self, now: dt.datetime) -> int:
        return int(now.timestamp() // self.every)


def new_holder_id() -> str:
    return f"{socket.gethostname()[:60]}-{os.getpid()}-{get_random_string(8)}"


def db_now() -> dt.datetime:
    """The database's clock on PostgreSQL (schedulers on several machines share it); this
    process's clock on SQLite (one machine)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT clock_timestamp()")
            return cur.fetchone()[0]
    return timezone.now()


# --- the lease ----------------------------------------------------------------------------------


def lease_acquire(*, holder: str, now: dt.datetime, seconds: float, name: str = LEASE) -> bool:
    """Take or renew the lease; True when ``holder`` holds it until ``now + seconds``."""
    expires = now + dt.timedelta(seconds=seconds)
    row = SchedulerLease.objects.filter(name=name).values("holder", "expires_at").first()
    if row is None:
        try:
            with transaction.atomic():
                SchedulerLease.objects.create(
                    name=name, holder=holder, acquired_at=now, renewed_at=now, expires_at=expires
                )
                _audit_holder(name, before=None, after=holder)
        except IntegrityError:
            return False  # another scheduler created it first
        return True
    if row["holder"] == holder:
        n = SchedulerLease.objects.filter(name=name, holder=holder).update(
            renewed_at=now, expires_at=expires
        )
        return n == 1
    if row["expires_at"] > now:
        return False  # held by another, still valid
    with transaction.atomic():  # take over an expired lease: compare and swap
        n = SchedulerLease.objects.filter(
            name=name, holder=row["holder"], expires_at=row["expires_at"]
        ).update(holder=holder, acquired_at=now, renewed_at=now, expires_at=expires)
        if n:
            _audit_holder(name, before=row["holder"], after=holder)
    return n == 1


def lease_release(*, holder: str, now: dt.datetime, name: str = LEASE) -> bool:
    """A clean stop: end the lease now so a standby takes over at its next try."""
    with transaction.atomic():
        n = SchedulerLease.objects.filter(name=name, holder=holder).update(expires_at=now)
        if n:
            audit.record(
                actor=ACTOR,
                action="console.scheduler_released",
                object_type="scheduler.lease",
                object_id=name,
                before={"holder": holder},
                after={"holder": None},
            )
    return n == 1


def lease_holder(*, now: dt.datetime, name: str = LEASE) -> str | None:
    """The holder of a valid lease, or None."""
    row = SchedulerLease.objects.filter(name=name, expires_at__gt=now).first()
    return row.holder if row else None


def _audit_holder(name: str, *, before: str | None, after: str) -> None:
    audit.record(
        actor=ACTOR,
        action="console.scheduler_leader",
        object_type="scheduler.lease",
        object_id=name,
        before={"holder": before},
        after={"holder": after},
    )


# --- one slot of one job ------------------------------------------------------------------------


class NotLeader(Exception):
    pass


def slot_run(*, job: Job, holder: str, now: dt.datetime) -> bool:
    """Run (or enqueue) ``job`` for the slot of ``now`` unless that slot already ran; True when
    it ran here. Raises ``NotLeader`` when ``holder``'s lease is not valid at ``now``."""
    slot = job.slot(now)
    with transaction.atomic():
        if not SchedulerLease.objects.filter(
            name=LEASE, holder=holder, expires_at__gt=now
        ).exists():
            raise NotLeader(holder)
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(
                    job=job.name,
                    slot=slot,
                    slot_start=dt.datetime.fromtimestamp(slot * job.every, tz=dt.UTC),
                    holder=holder,
                    ran_at=now,
                )
        except IntegrityError:
            return False  # this slot already ran (another scheduler, or this one before)
        job.run()  # its task row (or its writes) commit with the slot's row
    return True


def runs_prune(*, now: dt.datetime | None = None) -> int:
    now = now or db_now()
    deleted, _ = ScheduledRun.objects.filter(ran_at__lt=now - KEEP_RUNS).delete()
    return deleted


# --- the jobs -----------------------------------------------------------------------------------


def _env_seconds(name: str, default: str) -> float:
    return float(os.environ.get(name, default))


def _drain(fn: Callable[[], object]) -> Callable[[], object]:
    def run() -> object:
        close_old_connections()
        return fn()

    return run


def jobs() -> list[Job]:
    """Every periodic job of the platform, with its period (the environment may change some)."""
    from shuzheng.appointments.tasks import send_reminders
    from shuzheng.cases.tasks import refresh_warnings
    from shuzheng.console.tasks import remind_expiring_licenses
    from shuzheng.governance.tasks import compute_indicators
    from shuzheng.governance.tasks import warn_events as city_event_warnings
    from shuzheng.hotline.tasks import day_counts as hotline_day_counts
    from shuzheng.hotline.tasks import refresh_warnings as hotline_warnings
    from shuzheng.licenses.tasks import expire_licenses
    from shuzheng.notify import facade as notify
    from shuzheng.proactive.tasks import grant_due, run_policies
    from shuzheng.reporting.tasks import remind as remind_reports
    from shuzheng.supervision.tasks import send_reminders as supervision_reminders

    day, hour = 86400.0, 3600.0
    out = [
        Job(
            "cases.refresh_warnings",
            _env_seconds("SHUZHENG_WARNINGS_SECONDS", "600"),
            "task",
            refresh_warnings.enqueue,
            "办件预警（黄牌、红牌）",
        ),
        Job("licenses.expire_licenses", day, "task", expire_licenses.enqueue, "证照过期"),
        Job(
            "console.remind_expiring_licenses",
            day,
            "task",
            remind_expiring_licenses.enqueue,
            "证照到期提醒",
        ),
        Job("proactive.run_policies", day, "task", run_policies.enqueue, "免申即享匹配"),
        Job("proactive.grant_due", hour, "task", grant_due.enqueue, "免申即享兑现"),
        Job("appointments.send_reminders", hour, "task", send_reminders.enqueue, "预约提醒"),
        Job(
            "hotline.refresh_warnings",
            _env_seconds("SHUZHENG_HOTLINE_WARNINGS_SECONDS", "120"),
            "task",
            hotline_warnings.enqueue,
            "12345 超时预警",
        ),
        Job("hotline.day_counts", hour, "task", hotline_day_counts.enqueue, "12345 弱信号日计数"),
        Job(
            "governance.compute_indicators",
            hour,
            "task",
            compute_indicators.enqueue,
            "一网统管指标",
        ),
        Job(
            "governance.warn_events",
            _env_seconds("SHUZHENG_CITY_WARNINGS_SECONDS", "300"),
            "task",
            city_event_warnings.enqueue,
            "城市管理事件时限预警",
        ),
        Job("reporting.remind", day, "task", remind_reports.enqueue, "填表报数催报"),
        Job(
            "supervision.send_reminders",
            day,
            "task",
            supervision_reminders.enqueue,
            "督办任务催办",
        ),
        Job("audit.anchor", audit.anchor_interval(), "call", audit.anchor_scheduled, "审计锚点"),
        Job("console.prune_runs", hour, "call", runs_prune, "清理定时任务记录"),
        Job("notify.purge_sms", day, "call", notify.purge_sms_deliveries, "清理短信发送记录"),
        Job("notify.resend_sms", 300, "call", notify.resend_failed_sms, "短信失败重发"),
    ]
    if audit.deferred():
        out.append(
            Job(
                "audit.seal",
                _env_seconds("SHUZHENG_SEAL_SECONDS", "0.5"),
                "drain",
                _drain(audit.seal),
                "审计记录上链",
            )
        )
    if notify.sms_deferred():
        out.append(
            Job(
                "notify.dispatch_sms",
                _env_seconds("SHUZHENG_SMS_SECONDS", "0.5"),
                "drain",
                _drain(notify.dispatch_sms),
                "短信发送",
            )
        )
    return out


# --- the process --------------------------------------------------------------------------------


@dataclass
class Scheduler:
    """Leadership thread plus job loop. ``run()`` blocks until ``stop`` is set."""

    jobs: list[Job]
    lease: float = field(default_factory=lambda: float(settings.SCHEDULER_LEASE_SECONDS))
    renew: float = 0.0  # 0: a third of the lease
    holder: str = field(default_factory=new_holder_id)
    stop: threading.Event = field(default_factory=threading.Event)
    on_change: Callable[[bool], None] = lambda leading: None
    leading: threading.Event = field(default_factory=threading.Event)
    _done: dict[str, int] = field(default_factory=dict)
    _next_drain: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.renew:
            self.renew = self.lease / 3
        if self.renew >= self.lease:
            raise ValueError("the renewal interval must be shorter than the lease")

    # leadership, in its own thread (a long job never delays a renewal)
    def _lead(self) -> None:
        try:
            while not self.stop.is_set():
                try:
                    close_old_connections()
                    ok = lease_acquire(holder=self.holder, now=db_now(), seconds=self.lease)
                except Exception:
                    logger.exception("scheduler lease: the database did not answer")
                    ok = False
                self._set_leading(ok)
                self.stop.wait(self.renew)
        finally:
            connection.close()

    def _set_leading(self, ok: bool) -> None:
        if ok != self.leading.is_set():
            (self.leading.set if ok else self.leading.clear)()
            if ok:
                self._done.clear()
            logger.warning(
                "scheduler %s: %s", self.holder, "now leading" if ok else "no longer leading"
            )
            self.on_change(ok)

    def tick(self) -> None:
        """Run what is due, if leading."""
        if not self.leading.is_set():
            return
        close_old_connections()
        now = db_now()
        mono = now.timestamp()
        for job in self.jobs:
            if not self.leading.is_set() or self.stop.is_set():
                return
            try:
                if job.kind == "drain":
                    if mono >= self._next_drain.get(job.name, 0.0):
                        self._next_drain[job.name] = mono + job.every
                        job.run()
                    continue
                slot = job.slot(now)
                if self._done.get(job.name) == slot:
                    continue
                self._done[job.name] = slot  # a failed slot is retried at the next one
                if slot_run(job=job, holder=self.holder, now=now):
                    logger.info("scheduler: %s slot %s", job.name, slot)
            except NotLeader:
                self._set_leading(False)
                return
            except Exception:  # keep the scheduler alive; the next slot retries
                logger.exception("scheduled job %s failed", job.name)

    def run(self) -> None:
        lead = threading.Thread(target=self._lead, name="scheduler-lease", daemon=True)
        lead.start()
        step = max(0.05, min(0.25, *(j.every / 2 for j in self.jobs))) if self.jobs else 0.25
        try:
            while not self.stop.is_set():
                self.tick()
                self.stop.wait(step)
        finally:
            self.stop.set()
            lead.join(timeout=self.renew + 5)
            if self.leading.is_set():
                try:
                    close_old_connections()
                    lease_release(holder=self.holder, now=db_now())
                finally:
                    self._set_leading(False)
