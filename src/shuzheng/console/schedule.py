"""A tiny periodic scheduler for ``shuzheng serve``: it only *enqueues* tasks; the database
worker runs them. Each task is idempotent, so a late or doubled run does no harm."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger(__name__)


def periodic(
    every_seconds: float, enqueue: Callable[[], object], stop: threading.Event
) -> threading.Thread:
    def loop() -> None:
        while not stop.is_set():
            try:
                enqueue()
            except Exception:  # keep the scheduler alive; the next round retries
                logger.exception("periodic enqueue failed")
            stop.wait(every_seconds)

    thread = threading.Thread(target=loop, name="scheduler", daemon=True)
    thread.start()
    return thread
