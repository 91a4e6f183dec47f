"""Reads of the audit log. Callers (API/console) check the caller is an administrator first."""

from __future__ import annotations

from shuzheng.audit.contracts import AuditEntry
from shuzheng.audit.models import AuditRecord


def entries(
    *,
    object_type: str | None = None,
    object_id: str | None = None,
    action: str | None = None,
    limit: int = 50,
    before_seq: int | None = None,
) -> list[AuditEntry]:
    qs = AuditRecord.objects.all()
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action=action)
    if before_seq:
        qs = qs.filter(seq__lt=before_seq)
    return [
        AuditEntry(
            seq=r.seq,
            at=r.at.isoformat(),
            actor=r.actor,
            action=r.action,
            object_type=r.object_type,
            object_id=r.object_id,
            before=r.before,
            after=r.after,
            request_id=r.request_id,
            hash=r.hash,
        )
        for r in qs.order_by("-id")[: max(1, min(limit, 500))]
    ]
