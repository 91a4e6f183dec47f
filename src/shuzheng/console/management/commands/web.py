"""``shuzheng web``: the web role — granian serving the platform, in the foreground.

The process becomes granian (``exec``), so systemd or a container runtime supervises granian
itself; granian restarts a web worker that dies. Run one per machine (``--workers`` about the
machine's cores), as many machines as the load needs, behind the proxy. It runs no periodic
job and no task: those are ``shuzheng scheduler`` and ``shuzheng worker``
(docs/deploy/processes.md).
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from shuzheng.console import roles


class Command(BaseCommand):
    help = "Run the web role: granian serving the platform (no scheduler, no task worker)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("SHUZHENG_WEB_WORKERS", "2")),
            help="web worker processes (default SHUZHENG_WEB_WORKERS or 2)",
        )
        parser.add_argument(
            "--threads",
            type=int,
            default=int(os.environ.get("SHUZHENG_WEB_THREADS", "4")),
            help="threads per web worker (default SHUZHENG_WEB_THREADS or 4)",
        )
        parser.add_argument("--app", default=roles.WEB_APP, help="WSGI application to serve")

    def handle(self, *args: Any, **options: Any) -> None:
        env = os.environ.copy()
        roles.metrics_dir(env)
        argv = roles.granian_argv(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            threads=options["threads"],
            app=options["app"],
        )
        self.stdout.write(f"数政 web on http://{options['host']}:{options['port']}/")
        self.stdout.flush()
        os.execve(argv[0], argv, env)  # noqa: S606 - our own granian, argv built above
