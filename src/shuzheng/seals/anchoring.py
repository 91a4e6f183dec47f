"""The platform's SM2 key signs the audit chain's anchors (audit/anchors.py).

``audit`` is a lower layer than ``seals`` and cannot import it, so this module hands
``audit`` a signer when Django starts (``apps.SealsConfig.ready``). The key is a seal of the
pseudo-department ``PLATFORM``: made on first use, its private key encrypted at rest under
``SHUZHENG_SEAL_KEY`` like every seal, rotated with ``shuzheng seal_rotate PLATFORM`` (retired
keys still verify their anchors), revoked with ``seal_revoke`` (its anchors then fail), its
public keys published at ``GET /api/v1/seals/PLATFORM``.

An anchor carries the signing key's public key; the check requires that key to be the
platform's key on record with that id (a key swapped in the database no longer verifies the
anchors signed before), not revoked, and the signature to verify.
"""

from __future__ import annotations

from shuzheng.audit.facade import AnchorSignature
from shuzheng.seals import crypto, selectors, services

_REASONS = {
    "unknown_key": "签名密钥 {key} 不是本平台已知的密钥",
    "wrong_department": "签名密钥 {key} 不是平台的审计锚定密钥",
    "key_revoked": "签名密钥 {key} 已吊销",
    "bad_signature": "签名与锚点内容不符（锚点被伪造或改动）",
}


class PlatformAnchorSigner:
    """``audit.contracts.AnchorSigner`` with the platform's SM2-SM3 key."""

    def prepare(self) -> None:
        services.seal_ensure(department_code=services.PLATFORM, algorithm=crypto.SM2_SM3)

    def sign(self, message: bytes) -> AnchorSignature:
        seal = services.seal_ensure(department_code=services.PLATFORM, algorithm=crypto.SM2_SM3)
        signature = crypto.sign(
            seal.algorithm, services.private_key(seal), bytes(seal.public_key_der), message
        )
        return AnchorSignature(
            algorithm=seal.algorithm,
            key_id=seal.key_id,
            public_key_pem=crypto.pem_of(bytes(seal.public_key_der)),
            value=signature,
        )

    def check(self, message: bytes, signature: AnchorSignature) -> str:
        seal = selectors.seal_by_key_id(signature.key_id)
        if seal is None:
            return _REASONS["unknown_key"].format(key=signature.key_id)
        try:
            embedded = crypto.der_of_pem(signature.public_key_pem)
        except ValueError:
            embedded = b""
        if embedded != bytes(seal.public_key_der):
            return f"锚点所附公钥与平台登记的密钥 {signature.key_id} 不符"
        outcome = services.verify(
            key_id=signature.key_id,
            message=message,
            signature=signature.value,
            algorithm=signature.algorithm,
            department_code=services.PLATFORM,
        )
        if outcome.valid:
            return ""
        return _REASONS.get(outcome.reason, outcome.reason).format(key=signature.key_id)
