"""A task the multi-worker test enqueues: it notes each run in a file (one line per run, the
file opened in append mode, so two runs of one task would show as two lines)."""

from __future__ import annotations

import os
import time

from django_tasks import task


@task()
def note_run(path: str, n: int, seconds: float) -> int:
    time.sleep(seconds)
    with open(path, "a") as f:
        f.write(f"{n} {os.getpid()}\n")
    return n
