"""Plain parameterised SQL for the few hot paths that cannot afford ORM query compilation.

On the bench machine compiling one ORM query costs ~0.5–1 ms, a plain single-table query
~0.06 ms. The hot paths (the data API, 亮证 verification, the audit append, token checks) use
these helpers over their own module's tables; everything else uses the ORM. SQL here must be
valid on SQLite and PostgreSQL; values are converted the way the ORM stores and reads them.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, router
from django.db.models import Field, Model
from django.utils import timezone


@functools.lru_cache(maxsize=1024)
def _quoted(vendor: str, name: str) -> str:
    return str(connections[DEFAULT_DB_ALIAS].ops.quote_name(name))


def quote(name: str) -> str:
    """A quoted identifier (cached: quoting is fixed per database vendor)."""
    return _quoted(connection.vendor, name)


def table(model: type[Model]) -> str:
    """The model's quoted table name."""
    return _quoted(connection.vendor, model._meta.db_table)


def rows(
    sql: str, params: Sequence[Any], *, read_of: type[Model] | None = None
) -> list[tuple[Any, ...]]:
    """The rows of one statement. On the primary, unless ``read_of`` names the model a plain
    read is of: then on the database the router reads that model from — the replica under the
    rules of ``core.dbrouter`` (a GET that has not written, outside a transaction, from a
    client that did not write a moment ago), as the ORM's reads of it would. Leave it out for
    what must be current for everyone (tokens, grants, consents) and for writes."""
    conn = connections[router.db_for_read(read_of)] if read_of is not None else connection
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def next_in_sequence(model: type[Model], key_field: str, key: str) -> int:
    """The next value of the counter row ``key`` of ``model`` (a table of ``key_field`` unique
    and ``last``), in one statement: the upsert takes the row's lock until the caller's
    transaction ends, so values never repeat or skip, and a key's first call makes its row.
    Plain SQL: the ORM has no single-statement upsert that returns the new value (its
    lock-read-save takes two statements); the case and 12345 ticket numbers use it."""
    t, k = table(model), quote(key_field)
    sql = (
        f"INSERT INTO {t} ({k}, last) VALUES (%s, 1) "  # noqa: S608 - quoted names
        f"ON CONFLICT ({k}) DO UPDATE SET last = {t}.last + 1 RETURNING last"
    )
    return int(rows(sql, [key])[0][0])


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    f = model._meta.get_field(name)
    assert isinstance(f, Field), name
    return f


def _prepare(fields: tuple[Field[Any, Any], ...], values: Any, conn: Any) -> list[Any]:
    """Each value as its field saves it."""
    return [f.get_db_prep_save(v, conn) for f, v in zip(fields, values, strict=True)]


@functools.lru_cache(maxsize=256)
def _insert_plan(
    vendor: str, model: type[Model], cols: tuple[str, ...]
) -> tuple[str, tuple[Field[Any, Any], ...]]:
    fields = tuple(_field(model, c) for c in cols)
    names = ", ".join(_quoted(vendor, str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(cols))
    sql = f"INSERT INTO {_quoted(vendor, model._meta.db_table)} ({names}) VALUES ({marks}) "  # noqa: S608
    pk = f"RETURNING {_quoted(vendor, str(model._meta.pk.column))}"
    return sql + pk, fields


def insert_statement(model: type[Model], values: dict[str, Any]) -> tuple[str, list[Any]]:
    """``INSERT … RETURNING id`` of one row (field name → Python value) and its parameters.
    The statement and the fields are worked out once per model and set of fields; values are
    prepared by the model's own fields, as the ORM saves them."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql, fields = _insert_plan(conn.vendor, model, tuple(values))
    return sql, _prepare(fields, values.values(), conn)


def insert(model: type[Model], values: dict[str, Any]) -> int:
    """Insert one row (field name → Python value) and return its id."""
    sql, params = insert_statement(model, values)
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        cur.execute(sql, params)
        return int(cur.fetchone()[0])


def as_json(value: Any) -> Any:
    """A JSON column as read: decoded by the driver (PostgreSQL) or text (SQLite)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_moment(value: Any) -> dt.datetime | None:
    """A timestamp column as an aware datetime (SQLite stores UTC text without a zone)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(str(value))
    return value if timezone.is_aware(value) else value.replace(tzinfo=dt.UTC)
