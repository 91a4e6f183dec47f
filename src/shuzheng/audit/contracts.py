from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    reason: str = ""
    pending: int = 0  # records not yet chained (deferred mode; 0 right after a verify's seal)


@dataclass(frozen=True)
class AuditEntry:
    seq: int | None  # None until chained (deferred mode)
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    before: object
    after: object
    request_id: str
    hash: str
