"""The audit module's public face: other modules import only this and ``contracts``."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from django.conf import settings

from shuzheng.audit import anchors, selectors, services
from shuzheng.audit.admin_mixin import AuditedAdmin
from shuzheng.audit.contracts import (
    AnchorRef,
    AnchorSignature,
    AnchorSigner,
    AuditEntry,
    VerifyResult,
)

AnchorError = anchors.AnchorError
logger = logging.getLogger(__name__)

__all__ = [
    "AnchorError",
    "AnchorRef",
    "AnchorSignature",
    "AnchorSigner",
    "AuditEntry",
    "AuditedAdmin",
    "VerifyResult",
    "anchor",
    "anchor_directory",
    "anchor_interval",
    "anchor_scheduled",
    "deferred",
    "entries_for",
    "head",
    "recent",
    "record",
    "restore_anchor",
    "seal",
    "use_anchor_signer",
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
    """Chain any pending records (deferred mode), walk the whole chain, then check every
    anchor (signature, and the anchored record still has the anchored hash)."""
    return services.audit_verify()


def anchor() -> AnchorRef | None:
    """Anchor the chain head now: a signed file outside the database (None: empty chain).
    Raises ``AnchorError`` when anchoring is off or the chain is behind its newest anchor."""
    return services.audit_anchor()


def anchor_interval() -> float:
    """Seconds between the anchors ``serve`` writes (``SHUZHENG_AUDIT_ANCHOR_SECONDS``)."""
    return float(settings.AUDIT_ANCHOR_SECONDS)


def anchor_scheduled() -> AnchorRef | None:
    """What ``serve`` runs every ``anchor_interval()``: anchor the head if anchoring is on.
    Errors go to the scheduler, which logs them; a time-stamp that failed is logged here."""
    if services.anchor_directory() is None:
        return None
    ref = services.audit_anchor()
    if ref is not None and ref.timestamp_error:
        logger.warning(
            "audit anchor %s written without a time-stamp: %s", ref.path, ref.timestamp_error
        )
    return ref


def anchor_directory() -> Path | None:
    """Where anchors are written (``SHUZHENG_AUDIT_ANCHOR_DIR``); None when anchoring is off."""
    return services.anchor_directory()


def head() -> tuple[int, str]:
    """The chain head (seq, hash) once pending records are sealed; (0, "0"*64) when empty."""
    return services.audit_head()


def restore_anchor(name: str, data: bytes) -> bool:
    """Put an anchor file from a backup into the anchor directory, never over a different one
    (``AnchorError``); True if written, False if the same file was there."""
    d = services.anchor_directory()
    if d is None:
        raise AnchorError("审计锚定未启用（SHUZHENG_AUDIT_ANCHOR_DIR=off），无法恢复锚点")
    return anchors.restore(d, name, data)


def use_anchor_signer(signer: AnchorSigner | None) -> None:
    """Set who signs and checks anchors (``seals`` sets the platform's SM2 key at start)."""
    anchors.use_signer(signer)


def seal() -> int:
    """Chain the records written in deferred mode; returns how many (0 in inline mode)."""
    return services.audit_seal()


def deferred() -> bool:
    return services.deferred()


def entries_for(object_type: str, object_id: str, limit: int = 200) -> list[AuditEntry]:
    return selectors.entries(object_type=object_type, object_id=object_id, limit=limit)


def recent(limit: int = 50, action: str | None = None) -> list[AuditEntry]:
    return selectors.entries(limit=limit, action=action)


def backlog() -> int:
    """Records written in deferred mode and not yet chained (``/metrics``: the sealer's
    backlog; the ``audit_unsealed`` partial index answers it)."""
    return services.audit_backlog()
