from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    first_broken_id: int | None = None
    reason: str = ""
    pending: int = 0  # records not yet chained (deferred mode; 0 right after a verify's seal)
    anchoring: bool = False  # anchors are configured (AUDIT_ANCHOR_DIR) and were checked
    anchors: int = 0  # anchor files checked
    anchored_seq: int | None = None  # the newest anchor's sequence number
    anchor_file: str = ""  # the anchor file that does not match (when an anchor failed)
    note: str = ""  # a remark that is not a failure (no anchor yet, records after the newest)


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


@dataclass(frozen=True)
class AnchorSignature:
    """A signature over an anchor's canonical bytes, with what is needed to check it later."""

    algorithm: str  # e.g. "SM2-SM3"
    key_id: str
    public_key_pem: str
    value: bytes


class AnchorSigner(Protocol):
    """Signs and checks anchors. ``audit`` is below the module that owns the platform's keys
    (``seals``), so that module provides the signer (``facade.use_anchor_signer``)."""

    def prepare(self) -> None:
        """Make the signing key ready (making it may write audit records: done before the head
        is read, so the anchor fixes the head as it then is)."""
        ...

    def sign(self, message: bytes) -> AnchorSignature: ...

    def check(self, message: bytes, signature: AnchorSignature) -> str:
        """ "" when the signature is valid, else why not (Chinese, for the verify report)."""
        ...


@dataclass(frozen=True)
class AnchorRef:
    """One anchor file: the chain head it fixes, and where it is."""

    seq: int
    hash: str
    at: str  # UTC, ISO 8601
    path: Path
    key_id: str
    created: bool  # False: the head had not moved since this (existing) anchor
    timestamped: bool = False  # carries an RFC 3161 time-stamp token
    timestamp_error: str = ""  # a TSA is configured but did not answer correctly
