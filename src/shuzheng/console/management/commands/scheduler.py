"""``shuzheng scheduler``: the scheduler role — one active at a time across all machines.

Run two (on two machines) for failover: one leads (a lease row in the database, renewed every
``--renew`` seconds), the other waits and takes over within ``--lease`` + ``--renew`` seconds
after the leader dies. The leader enqueues the periodic tasks for ``shuzheng worker`` and runs
the audit sealing and SMS dispatch itself (``console.scheduler``; docs/deploy/processes.md).
SIGTERM or Ctrl-C releases the lease at once.
"""

from __future__ import annotations

import os
import signal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shuzheng.console import scheduler


class Command(BaseCommand):
    help = "Run the scheduler role: periodic jobs, audit sealing and SMS dispatch (one leads)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--lease",
            type=float,
            default=settings.SCHEDULER_LEASE_SECONDS,
            help="seconds a leader holds the lease without renewing (SHUZHENG_SCHEDULER_LEASE_"
            "SECONDS, 30)",
        )
        parser.add_argument(
            "--renew", type=float, default=0.0, help="seconds between renewals (lease / 3)"
        )
        parser.add_argument(
            "--only", action="append", default=[], metavar="JOB", help="run only these jobs"
        )
        parser.add_argument(
            "--every",
            action="append",
            default=[],
            metavar="JOB=SECONDS",
            help="change a job's period",
        )
        parser.add_argument(
            "--metrics-port",
            type=int,
            default=int(os.environ.get("SHUZHENG_SCHEDULER_METRICS_PORT", "0")),
            help="serve this process's Prometheus metrics (shuzheng_scheduler_leader) on this "
            "port; 0: off",
        )
        parser.add_argument(
            "--metrics-addr", default=os.environ.get("SHUZHENG_SCHEDULER_METRICS_ADDR", "127.0.0.1")
        )
        parser.add_argument("--list", action="store_true", help="list the jobs and exit")

    def handle(self, *args: Any, **options: Any) -> None:
        jobs = scheduler.jobs()
        names = {j.name for j in jobs}
        unknown = [n for n in options["only"] if n not in names]
        periods: dict[str, float] = {}
        for spec in options["every"]:
            name, _, seconds = spec.partition("=")
            try:
                periods[name] = float(seconds)
            except ValueError:
                raise CommandError(f"--every {spec}：周期须为秒数。") from None
            if name not in names:
                unknown.append(name)
        if unknown:
            raise CommandError(f"没有这些定时任务：{', '.join(unknown)}（--list 列出全部）。")
        if options["only"]:
            jobs = [j for j in jobs if j.name in options["only"]]
        jobs = [
            scheduler.Job(j.name, periods.get(j.name, j.every), j.kind, j.run, j.help) for j in jobs
        ]
        if options["list"]:
            for j in jobs:
                self.stdout.write(f"{j.name}\t{j.kind}\t{j.every:g} s\t{j.help}")
            return

        on_change = _leader_gauge(options["metrics_port"], options["metrics_addr"])
        sched = scheduler.Scheduler(
            jobs=jobs, lease=options["lease"], renew=options["renew"], on_change=on_change
        )

        def stop(signum: int, frame: Any) -> None:
            sched.stop.set()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(
            f"scheduler {sched.holder}: {len(jobs)} jobs, lease {sched.lease:g} s, "
            f"renewed every {sched.renew:g} s"
        )
        self.stdout.flush()
        sched.run()
        self.stdout.write(f"scheduler {sched.holder}: stopped.")


def _leader_gauge(port: int, addr: str) -> Any:
    """This process's ``shuzheng_scheduler_leader`` gauge (1 leading, 0 standby), served on
    ``port`` when given."""
    if not port:
        return lambda leading: None
    from prometheus_client import CollectorRegistry, Gauge, start_http_server

    registry = CollectorRegistry()
    gauge = Gauge(
        "shuzheng_scheduler_leader",
        "1 while this scheduler process holds the lease, 0 while it stands by",
        registry=registry,
    )
    gauge.set(0)
    start_http_server(port, addr=addr, registry=registry)
    return lambda leading: gauge.set(1 if leading else 0)
