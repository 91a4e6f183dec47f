"""Plain data the seals module hands out (never ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class SealInfo:
    seal_id: str
    department_code: str
    department_name: str
    department_uscc: str
    name: str
    purpose: str
    algorithm: str
    key_id: str
    public_key_pem: str
    status: str
    valid_from: dt.datetime
    valid_until: dt.datetime
    retired_at: dt.datetime | None
    certificate_pem: str = ""


@dataclass(frozen=True)
class SignatureRef:
    """A detached signature and what is needed to check it later."""

    algorithm: str
    key_id: str
    department_code: str
    signature: bytes


@dataclass(frozen=True)
class VerifyOutcome:
    valid: bool
    reason: str  # "ok" | "unknown_key" | "key_revoked" | "bad_signature" | "wrong_department"
    key_id: str = ""
    algorithm: str = ""
