"""The audit module's public face: other modules import only this and ``contracts``."""

from __future__ import annotations

from typing import Any

from shuzheng.audit import selectors, services
from shuzheng.audit.admin_mixin import AuditedAdmin
from shuzheng.audit.contracts import AuditEntry, VerifyResult

__all__ = [
    "AuditEntry",
    "AuditedAdmin",
    "VerifyResult",
    "deferred",
    "entries_for",
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
