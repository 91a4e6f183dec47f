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

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import BooleanField, CharField, Field, Model, TextField
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


def rows(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    f = model._meta.get_field(name)
    assert isinstance(f, Field), name
    return f


def stamp(*models: type[Model]) -> tuple[Any, ...]:
    """(row count, latest ``updated_at``) of each model's table, in one query: the version of
    a per-process cache of read-mostly tables (an edit by any process changes it)."""
    parts = ", ".join(
        f"(SELECT COUNT(*) FROM {table(m)}), (SELECT MAX(updated_at) FROM {table(m)})"  # noqa: S608
        for m in models
    )
    return tuple(rows(f"SELECT {parts}", [])[0])


# get_prep_value → (the value type it returns unchanged, the to_python it relies on)
_AS_IS: dict[Any, tuple[type, Any]] = {
    CharField.get_prep_value: (str, CharField.to_python),
    TextField.get_prep_value: (str, TextField.to_python),
    BooleanField.get_prep_value: (bool, BooleanField.to_python),
}


def _as_is(f: Field[Any, Any]) -> type | None:
    """The value type a field stores unchanged (``str`` for text fields, ``bool`` for
    booleans: their ``get_db_prep_save`` returns such a value as it is), else None — also
    for any subclass that changes a step of that preparation."""
    cls = type(f)
    if cls.get_db_prep_save is not Field.get_db_prep_save:
        return None
    if cls.get_db_prep_value is not Field.get_db_prep_value:
        return None
    found = _AS_IS.get(cls.get_prep_value)
    if found is None or cls.to_python is not found[1]:
        return None
    return found[0]


def _prepare(
    fields: tuple[Field[Any, Any], ...], as_is: tuple[type | None, ...], values: Any, conn: Any
) -> list[Any]:
    """Each value as its field saves it; plain ``str``/``bool`` values of text and boolean
    fields pass as they are (what their ``get_db_prep_save`` returns for them), sparing a few
    calls per column on every insert of the hot paths."""
    return [
        v if t is not None and type(v) is t else f.get_db_prep_save(v, conn)
        for f, t, v in zip(fields, as_is, values, strict=True)
    ]


@functools.lru_cache(maxsize=256)
def _insert_plan(
    vendor: str, model: type[Model], cols: tuple[str, ...]
) -> tuple[str, tuple[Field[Any, Any], ...], tuple[type | None, ...]]:
    fields = tuple(_field(model, c) for c in cols)
    names = ", ".join(_quoted(vendor, str(f.column)) for f in fields)
    marks = ", ".join(["%s"] * len(cols))
    sql = f"INSERT INTO {_quoted(vendor, model._meta.db_table)} ({names}) VALUES ({marks}) "  # noqa: S608
    pk = f"RETURNING {_quoted(vendor, str(model._meta.pk.column))}"
    return sql + pk, fields, tuple(_as_is(f) for f in fields)


def insert_statement(model: type[Model], values: dict[str, Any]) -> tuple[str, list[Any]]:
    """``INSERT … RETURNING id`` of one row (field name → Python value) and its parameters.
    The statement and the fields are worked out once per model and set of fields; values are
    prepared by the model's own fields, as the ORM saves them."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql, fields, as_is = _insert_plan(conn.vendor, model, tuple(values))
    return sql, _prepare(fields, as_is, values.values(), conn)


def insert(model: type[Model], values: dict[str, Any]) -> int:
    """Insert one row (field name → Python value) and return its id."""
    sql, params = insert_statement(model, values)
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        cur.execute(sql, params)
        return int(cur.fetchone()[0])


def new_values(obj: Model) -> dict[str, Any]:
    """The values ``obj.save()`` would insert for a new instance — every concrete field
    through its ``pre_save`` (``auto_now_add``, the defaults set when the instance was made);
    the primary key only when set (else the database assigns it)."""
    values: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.primary_key and getattr(obj, f.attname) is None:
            continue
        values[f.name] = f.pre_save(obj, True)
    return values


def pk_value(model: type[Model], raw: Any) -> Any:
    """A primary key as the database returned it, converted as the model's field does (an
    int, a UUID …)."""
    pk = model._meta.pk
    assert pk is not None
    return pk.to_python(raw)


def saved(obj: Model, pk: Any) -> None:
    """Mark a new instance inserted (by ``insert_new`` or the caller) with this primary key."""
    meta_pk = obj._meta.pk
    assert meta_pk is not None
    setattr(obj, meta_pk.attname, pk_value(type(obj), pk))
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS


def insert_new(obj: Model) -> None:
    """Insert a new model instance as ``obj.save()`` would store it (``new_values``) without
    compiling an ORM query; sets the primary key. Model ``save()`` overrides and signals do
    not run: callers derive such values themselves."""
    sql, params = insert_statement(type(obj), new_values(obj))
    with connections[DEFAULT_DB_ALIAS].cursor() as cur:
        cur.execute(sql, params)
        saved(obj, cur.fetchone()[0])


@functools.lru_cache(maxsize=64)
def _update_plan(
    vendor: str, model: type[Model], names: tuple[str, ...]
) -> tuple[str, tuple[Field[Any, Any], ...], tuple[type | None, ...]]:
    fields = tuple(_field(model, n) for n in names)
    sets = ", ".join(f"{_quoted(vendor, str(f.column))} = %s" for f in fields)
    pk = model._meta.pk
    assert pk is not None
    table = _quoted(vendor, model._meta.db_table)
    where = f"WHERE {_quoted(vendor, str(pk.column))} = %s"
    return f"UPDATE {table} SET {sets} {where}", fields, tuple(_as_is(f) for f in fields)  # noqa: S608


def update(obj: Model, names: Sequence[str]) -> None:
    """UPDATE these fields (names or attnames) of a saved instance by its primary key, each
    through its ``pre_save`` (so ``auto_now`` is set as ``save()`` sets it), without compiling
    an ORM query. Model ``save()`` overrides and signals do not run."""
    conn = connections[DEFAULT_DB_ALIAS]
    sql, fields, as_is = _update_plan(conn.vendor, type(obj), tuple(names))
    pk = obj._meta.pk
    assert pk is not None
    params = _prepare(fields, as_is, [f.pre_save(obj, False) for f in fields], conn)
    params.append(pk.get_db_prep_value(obj.pk, conn))
    with conn.cursor() as cur:
        cur.execute(sql, params)


@functools.lru_cache(maxsize=64)
def _load_plan(vendor: str, model: type[Model]) -> tuple[str, list[tuple[list[Any], Any]]]:
    conn = connections[DEFAULT_DB_ALIAS]
    fields = model._meta.concrete_fields
    columns = ", ".join(_quoted(vendor, str(f.column)) for f in fields)
    converters = []
    for f in fields:
        col = f.get_col(model._meta.db_table)
        converters.append((conn.ops.get_db_converters(col) + col.get_db_converters(conn), col))
    return columns, converters


def instances(
    model: type[Model],
    where: str,
    params: Sequence[Any],
    *,
    lock: bool = False,
    extra: Sequence[str] = (),
) -> list[Any]:
    """Model instances of the rows ``WHERE <where>`` (``lock``: ``FOR UPDATE`` where the
    database has it), every concrete field converted as the ORM converts it. The columns and
    converters are worked out once per model: ``Model.objects.raw`` works them out again on
    every query, which cost more than the query on the case actions' hot path.

    ``extra``: more SQL expressions read in the same statement (e.g. a subquery over a
    related table); their raw values are set on each instance as the tuple ``_extra``."""
    conn = connections[DEFAULT_DB_ALIAS]
    columns, converters = _load_plan(conn.vendor, model)
    more = "".join(f", {e}" for e in extra)
    sql = f"SELECT {columns}{more} FROM {table(model)} WHERE {where}"  # noqa: S608
    if lock and conn.features.has_select_for_update:
        sql += " FOR UPDATE"
    out = []
    n = len(converters)
    for row in rows(sql, params):
        values = list(row[:n])
        for i, (convs, col) in enumerate(converters):
            for convert in convs:
                values[i] = convert(values[i], col, conn)
        obj = model.from_db(DEFAULT_DB_ALIAS, (), values)
        if extra:
            obj._extra = tuple(row[n:])  # type: ignore[attr-defined]
        out.append(obj)
    return out


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
