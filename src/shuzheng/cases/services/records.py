"""The one save path of a case: locked reads (parents before children), saves of the changed
columns, timeline events and the case-number serial.

Every write to a case goes through ``lock`` → change → ``save``: the case is read again under
its row lock inside the writing transaction, so a write never starts from a copy read before
someone else's commit (a lost update), and a 一件事's parent is always locked before its sub-cases,
whichever of them an action starts from (opposite lock orders deadlock on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db.models import Q, Subquery

from shuzheng.cases.models import Case, CaseEvent, CaseSequence
from shuzheng.catalog import facade as catalog
from shuzheng.core import rawsql
from shuzheng.core.errors import NotFound

CASE_NO_PREFIX = "BJ"


def snapshot(case: Case) -> dict[str, Any]:
    """The columns an audit record shows before and after an action."""
    return {
        "status": case.status,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        "paused_days": case.paused_days,
        "extended_days": case.extended_days,
        "assignee": case.assignee,
        "decision": case.decision,
    }


# --- numbers -------------------------------------------------------------------------------------


def next_serial(prefix: str) -> int:
    """The next number of a serial (one row per prefix; ``rawsql.next_in_sequence``: one
    upsert, the row locked until the caller's transaction ends, so serials never repeat or
    skip; tested equal to a read of the row on both databases)."""
    return rawsql.next_in_sequence(CaseSequence, "prefix", prefix)


def next_case_no(region: str, today: dt.date) -> str:
    """办件编号: BJ + region (6) + date (8) + daily serial (6), e.g. BJ44120020261123000001."""
    prefix = f"{region}{today:%Y%m%d}"
    return f"{CASE_NO_PREFIX}{prefix}{next_serial(prefix):06d}"


# --- reading and locking -------------------------------------------------------------------------


def case_by_no(case_no: str) -> Case | None:
    """The case with this number, unchecked (callers check the caller's roles on it)."""
    return Case.objects.filter(case_no=case_no).first()


def filed_item(case: Case) -> Any | None:
    """The catalog item version the case was filed under (None for a 一件事, or a version the
    catalog no longer has)."""
    if not case.item_code:
        return None
    try:
        return catalog.item_version(case.item_code, case.item_version or 1)
    except NotFound:
        return None


def lock(case_no: str) -> Case | None:
    """The case read under its row lock until the transaction ends — its 一件事 parent locked
    first, in the same statement (rows are locked in id order, and a parent is created before
    its sub-cases)."""
    # (no ordering: the model's default "-id" would sort the one row the unique case_no finds)
    parent = Subquery(Case.objects.filter(case_no=case_no).order_by().values("parent_id")[:1])
    rows = list(
        Case.objects.select_for_update().filter(Q(case_no=case_no) | Q(pk=parent)).order_by("id")
    )
    return next((c for c in rows if c.case_no == case_no), None)


def lock_pk(pk: int) -> Case:
    """A case by primary key under its row lock (a parent whose sub-case is already locked
    through ``lock``, or a case just created)."""
    return Case.objects.select_for_update().get(pk=pk)


def lock_children(parent: Case) -> list[Case]:
    """A 一件事's sub-cases under their row locks, in id order (after the parent's)."""
    return list(Case.objects.select_for_update().filter(parent_id=parent.pk).order_by("id"))


# --- saving --------------------------------------------------------------------------------------

_JSON_COLUMNS = frozenset(
    f.attname for f in Case._meta.concrete_fields if f.get_internal_type() == "JSONField"
)


def columns(case: Case) -> dict[str, Any]:
    """The case's column values (JSON ones as text, so changes made in place show)."""
    out = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
    for name in _JSON_COLUMNS:
        out[name] = json.dumps(out[name], sort_keys=True, default=str)
    return out


def changed(case: Case, loaded: dict[str, Any]) -> list[str]:
    """The columns changed since ``loaded = columns(case)`` (plus ``updated_at``)."""
    now = columns(case)
    return [n for n, v in now.items() if v != loaded[n] and n != "updated_at"] + ["updated_at"]


def save(case: Case, loaded: dict[str, Any]) -> None:
    """Write the columns changed since the case was locked and ``loaded = columns(case)``."""
    case.derive()
    case.save(update_fields=changed(case, loaded))


# --- the timeline --------------------------------------------------------------------------------


def add_event(
    case: Case,
    *,
    actor: str,
    action: str,
    before: str,
    note: str = "",
    data: dict[str, Any] | None = None,
) -> CaseEvent:
    """One 办理环节 record: who did what, from which state to which (the case's current one)."""
    return CaseEvent.objects.create(
        case=case,
        actor=actor,
        action=action,
        from_status=before,
        to_status=case.status,
        note=note,
        data=data or {},
    )


def timeline(case: Case) -> list[tuple[Any, ...]]:
    """The case's events, oldest first: (at, actor, action, from, to, note, data)."""
    return list(
        CaseEvent.objects.filter(case_id=case.pk)
        .order_by("id")
        .values_list("at", "actor", "action", "from_status", "to_status", "note", "data")
    )
