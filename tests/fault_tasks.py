"""A task for the fault test (tests/test_fault.py): the worker runs it from the repository root.

``slow_mark`` writes "start <pid>" to a file, sleeps, then writes "done <pid>": the test kills
the worker while it sleeps and counts the lines. A run that finds an earlier "start" (a run that
was cut off) sleeps ``retry_seconds`` instead, to keep the test short. It leaves one "done" line
per completed run, so it is marked retry-safe like the platform's periodic tasks."""

from __future__ import annotations

import os
import time

from django_tasks import task

from shuzheng.core.workers import retry_safe


def _write(path: str, line: str) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"{line} {os.getpid()}\n")
        f.flush()
        os.fsync(f.fileno())


@retry_safe
@task()
def slow_mark(path: str, seconds: float, retry_seconds: float) -> str:
    again = os.path.exists(path)
    _write(path, "start")
    time.sleep(retry_seconds if again else seconds)
    _write(path, "done")
    return "done"
