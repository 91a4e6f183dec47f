"""Writes of the seals module: make, rotate and revoke seals; sign with them.

Every seal change is audited in its transaction. Signing is not a state change of a seal (the
caller audits what it signed)."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, NotFound, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.seals import certs, crypto, keystore, selectors
from shuzheng.seals.contracts import SignatureRef, VerifyOutcome
from shuzheng.seals.image import seal_svg
from shuzheng.seals.models import Seal

VALIDITY_YEARS = 5
PURPOSE = "电子证照专用章"
# The platform's own key (no department): it signs the audit chain's anchors (seals/anchoring.py)
PLATFORM = "PLATFORM"
PLATFORM_NAME = "数政平台"
PLATFORM_PURPOSE = "审计锚定专用章"


def _snapshot(seal: Seal) -> dict[str, object]:
    return {
        "seal_id": seal.seal_id,
        "algorithm": seal.algorithm,
        "key_id": seal.key_id,
        "status": seal.status,
        "valid_from": seal.valid_from.isoformat(),
        "valid_until": seal.valid_until.isoformat(),
    }


def _make(*, department_code: str, algorithm: str, actor: str, backend: str | None) -> Seal:
    if algorithm not in crypto.SUITES:
        raise ValidationFailed.one("algorithm", f"签名算法应为 {'、'.join(crypto.SUITES)} 之一。")
    if department_code == PLATFORM:  # the platform's key: no department behind it
        code, dept_name, uscc, purpose = PLATFORM, PLATFORM_NAME, "", PLATFORM_PURPOSE
    else:
        try:
            dept = identity.department(department_code)
        except NotFound:
            raise NotFound(f"未找到部门 {department_code}。") from None
        code, dept_name, uscc, purpose = dept.code, dept.name, dept.uscc, PURPOSE
    private, spki = crypto.generate(algorithm, backend=backend)
    kid = crypto.key_id(spki)
    now = timezone.now()
    until = now + dt.timedelta(days=365 * VALIDITY_YEARS)
    name = f"{dept_name}{purpose}"
    cert = b""
    if algorithm == crypto.ECDSA_P256:
        cert = certs.self_signed(
            private_der=private,
            department_name=dept_name,
            department_uscc=uscc or code,
            seal_name=name,
            not_before=now - dt.timedelta(minutes=5),
            not_after=until,
        )
    return Seal.objects.create(
        seal_id=f"{uscc or code}.{algorithm}.{kid}",
        department_code=code,
        department_name=dept_name,
        department_uscc=uscc,
        name=name,
        purpose=purpose,
        algorithm=algorithm,
        key_id=kid,
        public_key_der=spki,
        private_key_enc=keystore.encrypt(private, aad=kid),
        certificate_der=cert,
        image_svg=seal_svg(dept_name, purpose, uscc, title=name),
        valid_from=now,
        valid_until=until,
        created_by=actor,
    )


def seal_ensure(
    *,
    department_code: str,
    algorithm: str = crypto.SM2_SM3,
    actor: str = "system:seals",
    backend: str | None = None,
) -> Seal:
    """The department's active seal for ``algorithm``; made (or renewed when expired) if none."""
    seal = selectors.active_seal(department_code, algorithm)
    if seal is not None:
        return seal
    try:
        with transaction.atomic():
            expired = list(
                Seal.objects.select_for_update().filter(
                    department_code=department_code,
                    algorithm=algorithm,
                    status=Seal.Status.ACTIVE,
                )
            )
            selectors.clear_cache()
            for old in expired:  # past valid_until: retire, keep for verification
                before = _snapshot(old)
                old.status = Seal.Status.RETIRED
                old.retired_at = timezone.now()
                old.save(update_fields=["status", "retired_at"])
                audit.record(
                    actor=actor,
                    action="seals.retire",
                    object_type="seals.seal",
                    object_id=old.seal_id,
                    before=before,
                    after=_snapshot(old),
                )
            seal = _make(
                department_code=department_code, algorithm=algorithm, actor=actor, backend=backend
            )
            audit.record(
                actor=actor,
                action="seals.create",
                object_type="seals.seal",
                object_id=seal.seal_id,
                after=_snapshot(seal),
            )
            return seal
    except IntegrityError:  # another process made it first
        seal = selectors.active_seal(department_code, algorithm)
        if seal is None:
            raise
        return seal


def seal_rotate(
    *, department_code: str, algorithm: str, actor: str, backend: str | None = None
) -> Seal:
    """A new key for the department; the old seal is retired and still verifies."""
    with transaction.atomic():
        current = list(
            Seal.objects.select_for_update().filter(
                department_code=department_code, algorithm=algorithm, status=Seal.Status.ACTIVE
            )
        )
        before = [_snapshot(s) for s in current]
        selectors.clear_cache()
        for old in current:
            old.status = Seal.Status.RETIRED
            old.retired_at = timezone.now()
            old.save(update_fields=["status", "retired_at"])
        seal = _make(
            department_code=department_code, algorithm=algorithm, actor=actor, backend=backend
        )
        audit.record(
            actor=actor,
            action="seals.rotate",
            object_type="seals.seal",
            object_id=seal.seal_id,
            before={"retired": before},
            after=_snapshot(seal),
        )
        return seal


def seal_revoke(*, key_id: str, actor: str, reason: str) -> Seal:
    """Revoke a compromised key: what it signed no longer verifies."""
    if not reason.strip():
        raise ValidationFailed.one("reason", "请说明吊销印章的原因。")
    with transaction.atomic():
        seal = Seal.objects.select_for_update().filter(key_id=key_id).first()
        if seal is None:
            raise NotFound("未找到该电子印章。")
        if seal.status == Seal.Status.REVOKED:
            raise Conflict("该电子印章已吊销。")
        before = _snapshot(seal)
        selectors.clear_cache()
        seal.status = Seal.Status.REVOKED
        seal.retired_at = seal.retired_at or timezone.now()
        seal.save(update_fields=["status", "retired_at"])
        audit.record(
            actor=actor,
            action="seals.revoke",
            object_type="seals.seal",
            object_id=seal.seal_id,
            before=before,
            after={**_snapshot(seal), "reason": reason[:500]},
        )
        return seal


def seal_rewrap(*, actor: str) -> int:
    """Re-encrypt every private key under the first master secret (after rotating it)."""
    current = keystore.current_master_id()
    n = 0
    with transaction.atomic():
        for seal in Seal.objects.select_for_update().exclude(
            private_key_enc__startswith=f"v1.{current}."
        ):
            plain = keystore.decrypt(seal.private_key_enc, aad=seal.key_id)
            seal.private_key_enc = keystore.encrypt(plain, aad=seal.key_id)
            seal.save(update_fields=["private_key_enc"])
            n += 1
        audit.record(
            actor=actor,
            action="seals.rewrap",
            object_type="seals.keystore",
            object_id=current,
            after={"rewrapped": n},
        )
    return n


# --- signing ----------------------------------------------------------------------------------


def private_key(seal: Seal) -> bytes:
    return keystore.decrypt(seal.private_key_enc, aad=seal.key_id)


def sign(
    *,
    department_code: str,
    message: bytes,
    algorithm: str = crypto.SM2_SM3,
    backend: str | None = None,
) -> SignatureRef:
    seal = seal_ensure(department_code=department_code, algorithm=algorithm, backend=backend)
    signature = crypto.sign(
        algorithm, private_key(seal), bytes(seal.public_key_der), message, backend=backend
    )
    return SignatureRef(
        algorithm=algorithm,
        key_id=seal.key_id,
        department_code=seal.department_code,
        signature=signature,
    )


def verify(
    *,
    key_id: str,
    message: bytes,
    signature: bytes,
    algorithm: str | None = None,
    department_code: str | None = None,
    backend: str | None = None,
) -> VerifyOutcome:
    seal = selectors.seal_by_key_id(key_id)
    if seal is None:
        return VerifyOutcome(False, "unknown_key", key_id=key_id)
    if algorithm and algorithm != seal.algorithm:
        return VerifyOutcome(False, "bad_signature", key_id, seal.algorithm)
    if department_code and department_code != seal.department_code:
        return VerifyOutcome(False, "wrong_department", key_id, seal.algorithm)
    if seal.status == Seal.Status.REVOKED:
        return VerifyOutcome(False, "key_revoked", key_id, seal.algorithm)
    ok = crypto.verify(
        seal.algorithm, bytes(seal.public_key_der), message, signature, backend=backend
    )
    return VerifyOutcome(ok, "ok" if ok else "bad_signature", key_id, seal.algorithm)
