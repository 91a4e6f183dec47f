"""Reads of pages and APIs from a PostgreSQL streaming replica (``SHUZHENG_REPLICA_URL`` →
``DATABASES["replica"]``), everything else from the primary (docs/deploy/storage-and-replicas.md).

A read goes to the replica only when all of these hold, so nobody reads older data than they
wrote (read-your-writes):

- it is made while answering a GET or HEAD request (``ReplicaMiddleware``): tasks, the
  scheduler, commands and POST/PUT/PATCH/DELETE requests read the primary throughout;
- that request has not written yet: after its first write the rest of it reads the primary;
- it is not inside a transaction on the primary (``atomic``: what it reads is what it locks or
  writes next);
- the client has not written in the last ``REPLICA_PIN_SECONDS`` seconds (default 10): a request
  that writes sets the cookie ``shuzheng_primary`` for that long, so the page it redirects to, and
  the next ones, show what was just written even if the replica lags behind.

``primary_reads()`` sends the reads inside it to the primary whatever the request: the per-process
caches (``core.cache``) build their values there, as their versions are read there (a value built
from a lagging replica would be kept under the newer version).

Without a replica configured the router is not installed and nothing changes.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY = "default"
PIN_COOKIE = "shuzheng_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# "replica": this request may read the replica; "primary" (the default): it may not
_reads: contextvars.ContextVar[str] = contextvars.ContextVar("shuzheng_reads", default=PRIMARY)
# set once the current request has written
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("shuzheng_wrote", default=False)


def pin_seconds() -> int:
    return int(getattr(settings, "REPLICA_PIN_SECONDS", 10))


@contextmanager
def primary_reads() -> Iterator[None]:
    """Reads inside this block go to the primary."""
    token = _reads.set(PRIMARY)
    try:
        yield
    finally:
        _reads.reset(token)


class PrimaryReplicaRouter:
    """Django database router: writes and migrations on the primary, reads as the module says."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        if _reads.get() != REPLICA or _wrote.get() or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        return REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        _wrote.set(True)
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the same database, one copy of it behind

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


class ReplicaMiddleware:
    """Lets a GET/HEAD request read the replica unless its client wrote a moment ago; a request
    that wrote pins its client to the primary for ``REPLICA_PIN_SECONDS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        pinned_until = _float(request.COOKIES.get(PIN_COOKIE))
        may_use_replica = request.method in SAFE_METHODS and pinned_until <= time.time()
        reads = _reads.set(REPLICA if may_use_replica else PRIMARY)
        wrote = _wrote.set(False)
        try:
            response = self.get_response(request)
            if _wrote.get() or request.method not in SAFE_METHODS:
                seconds = pin_seconds()
                response.set_cookie(
                    PIN_COOKIE,
                    f"{time.time() + seconds:.0f}",
                    max_age=seconds,
                    httponly=True,
                    samesite="Lax",
                    secure=request.is_secure(),
                )
            return response
        finally:
            _reads.reset(reads)
            _wrote.reset(wrote)


def _float(value: str | None) -> float:
    try:
        return float(value or 0)
    except ValueError:
        return 0.0
