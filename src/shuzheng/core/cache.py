"""Per-process caches of read-mostly tables, valid while the tables' versions are unchanged.

A cache is named after what it holds (``"exchange.catalog"``, ``"identity.departments"``).
Every service that writes the tables behind a name calls ``bump(name)`` inside its transaction:
the name gets a new version (a ``CacheVersion`` row), committed with the write or rolled back
with it. A reader keeps its values in a ``Memo`` over the names they are built from; each read
asks for those names' versions (one query for all of them) and rebuilds a value only when they
changed. An edit committed by any process is therefore seen by every process on its next read.

A version is a random 62-bit number, not a counter: a counter repeats after a rollback. A
transaction that moves ``n`` to ``n + 1`` and then reads fills the memo at ``n + 1`` with rows
that are never committed; the next committed bump is ``n + 1`` again, and the memo would serve
the rolled-back rows. (Each test runs in a rolled-back transaction: the same holds between
tests.) A random version never comes back.

Writes that bypass the services (a data migration, a shell, a test that saves a row directly)
must call ``bump`` themselves.

The versions are read with one plain statement (``_VERSIONS_SQL``) rather than the ORM: it runs
on every cached read, the data API's included, and compiling the equivalent ORM query costs
more than running it (``tests/test_cache.py`` checks it returns what the ORM returns).
"""

from __future__ import annotations

import secrets
import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from django.db import connection

from shuzheng.core.dbrouter import primary_reads
from shuzheng.core.models import CacheVersion

Version = tuple[int | None, ...]
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

_TABLE = CacheVersion._meta.db_table


def bump(*names: str) -> None:
    """Give each named cache a new version, in the caller's transaction (one statement). Call
    it inside the ``transaction.atomic()`` block of the write."""
    rows = [CacheVersion(name=n, version=secrets.randbits(62)) for n in sorted(set(names))]
    CacheVersion.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["name"], update_fields=["version"]
    )


def _versions_sql(count: int) -> str:
    marks = ", ".join(["%s"] * count)
    return f'SELECT name, version FROM "{_TABLE}" WHERE name IN ({marks})'  # noqa: S608


def versions(*names: str) -> Version:
    """The current version of each name (None for a name never bumped), in one query."""
    with connection.cursor() as cur:
        cur.execute(_versions_sql(len(names)), list(names))
        found = dict(cur.fetchall())
    return tuple(found.get(n) for n in names)


def version_columns(*names: str) -> tuple[str, list[str]]:
    """SQL columns (scalar subqueries) giving each name's version, and their parameters: for a
    hot path that reads the versions in a statement it runs anyway (exchange's data API on
    PostgreSQL). Pass the values, as a tuple, to ``Memo.get(version=…)``."""
    one = f'(SELECT version FROM "{_TABLE}" WHERE name = %s)'  # noqa: S608
    return ", ".join([one] * len(names)), list(names)


_memos: weakref.WeakSet[Memo[object, object]] = weakref.WeakSet()


class Memo(Generic[K, V]):
    """Values built from the tables behind ``names``, kept in this process while those names'
    versions are unchanged. ``maxsize`` bounds the number of keys (all are dropped when full).

    Each entry keeps the version read before it was built, so a value built from rows older
    than the current version (a concurrent thread's) is never served."""

    def __init__(self, *names: str, maxsize: int = 1024) -> None:
        self.names = names
        self.maxsize = maxsize
        self._entries: dict[K, tuple[Version, V]] = {}
        self._version: Version | None = None
        self._lock = threading.Lock()
        _memos.add(self)  # type: ignore[arg-type]

    def version(self) -> Version:
        return versions(*self.names)

    def get(self, key: K, build: Callable[[], V], *, version: Version | None = None) -> V:
        """The value for ``key``: kept, or built by ``build()`` when the names' versions (read
        now, or ``version`` when the caller has just read them) changed since."""
        current = version if version is not None else self.version()
        hit = self._entries.get(key)
        if hit is not None and hit[0] == current:
            return hit[1]
        with primary_reads():  # as the versions: never a lagging replica's rows
            value = build()
        with self._lock:
            if current != self._version or len(self._entries) >= self.maxsize:
                self._entries = {}  # values of older versions are never served again
                self._version = current
            self._entries[key] = (current, value)
        return value

    def peek(self, key: K) -> V | None:
        """The value last built for ``key``, whatever its version (None if there is none): for
        a caller that has just read it through ``get`` in the same request."""
        hit = self._entries.get(key)
        return hit[1] if hit is not None else None

    def clear(self) -> None:
        with self._lock:
            self._entries = {}
            self._version = None


def clear_all() -> None:
    """Forget every memo of this process (as a freshly started process would)."""
    for memo in list(_memos):
        memo.clear()
