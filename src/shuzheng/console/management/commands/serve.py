"""Run the web server (granian) and the task worker together, in the foreground.

Ctrl-C or SIGTERM stops both cleanly. Used by ``make demo``. Either child that exits on its own
is restarted with backoff (1 s doubling to 60 s) while the other keeps running; each restart is
logged to stderr (docs/howto/worker.md).

granian, not gunicorn: less server CPU per request for the same application (measured in
bench/exchange/README.md).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shuzheng.console.schedule import periodic
from shuzheng.console.supervisor import Child


class Command(BaseCommand):
    help = "Serve the platform: granian web server plus the django-tasks database worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("SHUZHENG_WEB_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("SHUZHENG_WEB_THREADS", "4"))
        )
        parser.add_argument("--no-worker", action="store_true", help="do not start the task worker")
        parser.add_argument(
            "--app",
            default="shuzheng.console.web:application",
            help="WSGI application to serve (benchmarks use a variant; default: the platform)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        bindir = os.path.dirname(sys.executable)
        env = os.environ.copy()
        web_argv = [
            os.path.join(bindir, "granian"),
            "--interface",
            "wsgi",
            "--http",
            "1",
            "--no-ws",
            "--host",
            options["host"],
            "--port",
            str(options["port"]),
            "--workers",
            str(options["workers"]),
            "--blocking-threads",
            str(options["threads"]),
            "--respawn-failed-workers",
            "--workers-kill-timeout",
            "5",
            "--log-level",
            os.environ.get("SHUZHENG_SERVER_LOG_LEVEL", "warning"),
            "--access-log" if os.environ.get("SHUZHENG_ACCESS_LOG") else "--no-access-log",
            options["app"],
        ]
        # granian respawns a web worker that dies; a granian main process that dies is started
        # again here, after its orphaned web workers are stopped (console/supervisor.py)
        children = [Child("web", lambda: web_argv, env)]
        if not options["no_worker"]:
            from shuzheng.console import workers

            current: dict[str, str] = {}

            def worker_argv() -> list[str]:
                current["id"] = workers.new_worker_id()
                return [
                    sys.executable,
                    "-m",
                    "shuzheng.cli",
                    "worker",
                    "--interval",
                    "1",
                    "--no-startup-delay",
                    "--worker-id",
                    current["id"],
                ]

            def worker_exited(code: int) -> None:
                # its RUNNING task is recovered by the next worker as it starts
                close_old_connections()
                workers.worker_lost(worker_id=current["id"], reason=f"进程退出，返回码 {code}")

            children.append(Child("worker", worker_argv, env, on_exit=worker_exited))

        stopping = False
        stop_scheduler = threading.Event()
        if not options["no_worker"]:
            from shuzheng.cases.tasks import refresh_warnings

            # deadline warnings: once at start, then every SHUZHENG_WARNINGS_SECONDS (10 min)
            every = float(os.environ.get("SHUZHENG_WARNINGS_SECONDS", "600"))
            periodic(every, refresh_warnings.enqueue, stop_scheduler)
            from shuzheng.licenses.tasks import expire_licenses

            # licences past their validity become 已过期: daily (and at start)
            periodic(86400, expire_licenses.enqueue, stop_scheduler)
            from shuzheng.console.tasks import remind_expiring_licenses

            # 证照到期提醒 90 and 30 days before a licence ends: daily (and at start)
            periodic(86400, remind_expiring_licenses.enqueue, stop_scheduler)
            from shuzheng.proactive.tasks import grant_due, run_policies

            # 免申即享: match policies daily; grant once the confirm/opt-out window has passed
            periodic(86400, run_policies.enqueue, stop_scheduler)
            periodic(3600, grant_due.enqueue, stop_scheduler)
            from shuzheng.appointments.tasks import send_reminders

            # 预约办理: remind tomorrow's bookings by SMS, hourly during the day (idempotent)
            periodic(3600, send_reminders.enqueue, stop_scheduler)
            from shuzheng.hotline.tasks import refresh_warnings as hotline_warnings

            # 12345: 超时未签收 escalated and yellow/red flags, every 2 minutes (签收 limits are
            # 30–120 minutes)
            every = float(os.environ.get("SHUZHENG_HOTLINE_WARNINGS_SECONDS", "120"))
            periodic(every, hotline_warnings.enqueue, stop_scheduler)
            from shuzheng.governance.tasks import compute_indicators

            # 一网统管: the platform's own indicators (按期办结率, 数据共享调用量), hourly
            periodic(3600, compute_indicators.enqueue, stop_scheduler)

        from shuzheng.audit import facade as audit
        from shuzheng.notify import facade as notify

        # work the web processes leave for later in the deferred modes (PostgreSQL's defaults):
        # audit records join the hash chain, notifications' SMS go out many at once
        backlogs: list[tuple[str, Callable[[], object]]] = []  # (seconds setting, job)
        if audit.deferred():
            backlogs.append(("SHUZHENG_SEAL_SECONDS", audit.seal))
        if notify.sms_deferred():
            backlogs.append(("SHUZHENG_SMS_SECONDS", notify.dispatch_sms))

        def drain(job: Callable[[], object]) -> Callable[[], None]:
            def run() -> None:
                close_old_connections()
                job()

            return run

        for setting, job in backlogs:
            periodic(float(os.environ.get(setting, "0.5")), drain(job), stop_scheduler)
        # signed checkpoints of the audit chain head, outside the database (audit/anchors.py)
        periodic(audit.anchor_interval(), drain(audit.anchor_scheduled), stop_scheduler)

        def stop(signum: int, frame: Any) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        url = f"http://{options['host']}:{options['port']}/"
        parts = "web" if options["no_worker"] else "web + task worker"
        self.stdout.write(f"数政 is running at {url}  ({parts}; Ctrl-C to stop)")
        self.stdout.flush()

        def log(line: str) -> None:
            self.stderr.write(f"serve: {line}")
            self.stderr.flush()

        try:
            for child in children:
                child.start()
            while not stopping:
                for child in children:
                    child.check(log)
                time.sleep(0.3)
        finally:  # also when serve itself fails: its children run in their own sessions
            stop_scheduler.set()
            for child in children:
                child.terminate()
            for child in children:
                code = child.stop(timeout=10)  # a worker finishes its task first, if it can
                if code:  # killed: its task, if any, is recovered when a worker starts again
                    child.on_exit(code)
        for _, job in backlogs:
            drain(job)()  # what the web processes left last
        self.stdout.write("stopped.")
