"""The command lines of the platform's process roles (docs/deploy/processes.md): what
``shuzheng web`` executes and what ``shuzheng serve`` supervises, built in one place."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

WEB_APP = "shuzheng.console.web:application"


def granian_argv(
    *, host: str, port: int, workers: int, threads: int, app: str = WEB_APP
) -> list[str]:
    """granian serving the WSGI application: HTTP/1.1, web workers respawned when they die."""
    return [
        os.path.join(os.path.dirname(sys.executable), "granian"),
        "--interface",
        "wsgi",
        "--http",
        "1",
        "--no-ws",
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--blocking-threads",
        str(threads),
        "--respawn-failed-workers",
        "--workers-kill-timeout",
        "5",
        "--log-level",
        os.environ.get("SHUZHENG_SERVER_LOG_LEVEL", "warning"),
        "--access-log" if os.environ.get("SHUZHENG_ACCESS_LOG") else "--no-access-log",
        app,
    ]


def metrics_dir(env: dict[str, str]) -> str:
    """The directory the web workers of one ``web`` process share their Prometheus counters
    through (prometheus-client's multiprocess mode): ``PROMETHEUS_MULTIPROC_DIR`` if set, else
    a new temporary one. Emptied at start: the counters of a previous run are not this one's."""
    path = env.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="shuzheng-metrics-")
    p = Path(path)
    if p.exists():
        for child in p.iterdir():
            if child.is_file() and child.suffix == ".db":
                child.unlink()
    else:
        p.mkdir(parents=True)
    env["PROMETHEUS_MULTIPROC_DIR"] = str(p)
    return str(p)


def cli_argv(*args: str) -> list[str]:
    """``shuzheng <args>`` with this interpreter."""
    return [sys.executable, "-m", "shuzheng.cli", *args]


def remove_dir(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
