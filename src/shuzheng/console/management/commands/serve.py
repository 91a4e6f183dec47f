"""Run the web server (granian), the task worker and the scheduler together, in the foreground:
the one-command demo. In production each is its own role: `shuzheng web`, `shuzheng worker`,
`shuzheng scheduler` (docs/deploy/processes.md).

Ctrl-C or SIGTERM stops both cleanly. Used by ``make demo``. Either child that exits on its own
is restarted with backoff (1 s doubling to 60 s) while the other keeps running; each restart is
logged to stderr (docs/howto/worker.md).

granian, not gunicorn: less server CPU per request for the same application (measured in
bench/exchange/README.md).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from shuzheng.console import roles
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
            default=roles.WEB_APP,
            help="WSGI application to serve (benchmarks use a variant; default: the platform)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        env = os.environ.copy()
        roles.metrics_dir(env)  # the web workers' shared Prometheus counters
        web_argv = roles.granian_argv(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            app=options["app"],
        )
        # granian respawns a web worker that dies; a granian main process that dies is started
        # again here, after its orphaned web workers are stopped (console/supervisor.py)
        children = [Child("web", lambda: web_argv, env)]
        if not options["no_worker"]:
            from shuzheng.console import workers

            current: dict[str, str] = {}

            def worker_argv() -> list[str]:
                current["id"] = workers.new_worker_id()
                return roles.cli_argv(
                    "worker", "--interval", "1", "--no-startup-delay", "--worker-id", current["id"]
                )

            def worker_exited(code: int) -> None:
                # its RUNNING task is recovered by the next worker as it starts
                close_old_connections()
                workers.worker_lost(worker_id=current["id"], reason=f"进程退出，返回码 {code}")

            children.append(Child("worker", worker_argv, env, on_exit=worker_exited))

        stopping = False
        # the periodic jobs, audit sealing and SMS dispatch: the scheduler of `shuzheng
        # scheduler` in a thread here (it takes the lease like any other; console/scheduler.py)
        from shuzheng.audit import facade as audit
        from shuzheng.console import scheduler
        from shuzheng.notify import facade as notify

        jobs = scheduler.jobs()
        if options["no_worker"]:  # nothing would run the tasks: only what runs in-process
            jobs = [j for j in jobs if j.kind != "task"]
        sched = scheduler.Scheduler(jobs=jobs)
        sched_thread = threading.Thread(target=sched.run, name="scheduler", daemon=True)
        sched_thread.start()
        # work the web processes leave for later in the deferred modes (PostgreSQL's defaults):
        # drained once more after the web stops
        backlogs: list[Callable[[], object]] = []
        if audit.deferred():
            backlogs.append(audit.seal)
        if notify.sms_deferred():
            backlogs.append(notify.dispatch_sms)

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
            sched.stop.set()
            for child in children:
                child.terminate()
            for child in children:
                code = child.stop(timeout=10)  # a worker finishes its task first, if it can
                if code:  # killed: its task, if any, is recovered when a worker starts again
                    child.on_exit(code)
        sched_thread.join(timeout=15)  # it releases the lease
        close_old_connections()
        for job in backlogs:
            job()  # what the web processes left last
        self.stdout.write("stopped.")
