"""The audit module's public face: other modules import only this and ``contracts``."""

from __future__ import annotations

from typing import Any

from django.db.models import Model

from shuzheng.audit import selectors, services
from shuzheng.audit.admin_mixin import AuditedAdmin
from shuzheng.audit.contracts import AuditEntry, VerifyResult

__all__ = [
    "AuditEntry",
    "AuditedAdmin",
    "VerifyResult",
    "deferred",
    "entries_for",
    "insert_audited",
    "one_statement",
    "recent",
    "record",
    "seal",
    "verify",
]


def record(
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    before: Any = None,
    after: Any = None,
) -> None:
    """Record a state change in the caller's transaction (raises if not inside one)."""
    services.audit_append(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )


def insert_audited(
    model: type[Model],
    values: dict[str, Any],
    *,
    actor: str,
    action: str,
    object_type: str,
    object_id: str | None = None,
    before: Any = None,
    after: Any = None,
) -> Any:
    """Insert one row (field name → value) of the caller's own model together with the audit
    record of it (``object_id``: given, or the new row's id), atomically; returns the row's
    primary key. On PostgreSQL with deferred chaining this is a single statement (see
    ``one_statement``)."""
    return services.insert_audited(
        model,
        values,
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
    )


def one_statement() -> bool:
    """Whether ``insert_audited`` is one statement here (then it needs no transaction)."""
    return services.one_statement()


def verify() -> VerifyResult:
    """Chain any pending records (deferred mode), then walk the whole chain."""
    return services.audit_verify()


def seal() -> int:
    """Chain the records written in deferred mode; returns how many (0 in inline mode)."""
    return services.audit_seal()


def deferred() -> bool:
    return services.deferred()


def entries_for(object_type: str, object_id: str, limit: int = 200) -> list[AuditEntry]:
    return selectors.entries(object_type=object_type, object_id=object_id, limit=limit)


def recent(limit: int = 50, action: str | None = None) -> list[AuditEntry]:
    return selectors.entries(limit=limit, action=action)
