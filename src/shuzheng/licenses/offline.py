"""Offline verification of 亮证 tokens and licence payloads with only a published public key.

No Django, no database, no network: this module imports only ``shuzheng.seals.crypto``
(itself only ``cryptography``, ``asn1crypto`` and an SM2 backend) and can be copied into a
verifier's own tool. What it cannot know offline: whether the licence has been suspended or
revoked since, and whether the platform recorded the presentation — do the online check
(``POST /api/v1/licenses/verify``) when you can.

Usage::

    pem = open("441200-GAJ.pem").read()   # GET /api/v1/seals/441200-GAJ/public-key?key_id=…
    result = verify_token(token, pem)      # {"valid": True, "reason": "ok", "fields": {...}}

Equivalent with OpenSSL 3 (SM2 keys need no extra option; the signer id is the default)::

    # payload = 2nd dot-separated part, signature = 3rd (base64url, no padding)
    openssl pkeyutl -verify -pubin -inkey 441200-GAJ.pem -rawin -in payload.bin \\
        -sigfile signature.der -digest sm3 -pkeyopt distid:1234567812345678
"""

from __future__ import annotations

import base64
import json
import time
from typing import Any

from shuzheng.seals import crypto

PREFIX = "SZP1"


def _b64d(text: str) -> bytes:
    if not text or set(text) - set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    ):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _algorithm_of(pem: str) -> str:
    der = crypto.der_of_pem(pem)
    try:
        crypto.sm2_public_from_spki(der)
        return crypto.SM2_SM3
    except ValueError:
        pass
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519

    key = serialization.load_der_public_key(der)
    if isinstance(key, ed25519.Ed25519PublicKey):
        return crypto.ED25519
    if isinstance(key, ec.EllipticCurvePublicKey):
        return crypto.ECDSA_P256
    raise ValueError("unsupported public key")


def verify_signature(message: bytes, signature: bytes, public_key_pem: str) -> bool:
    """Check a signature over ``message`` (e.g. a licence's ``signed_payload``)."""
    try:
        algorithm = _algorithm_of(public_key_pem)
    except ValueError:
        return False
    return crypto.verify(algorithm, crypto.der_of_pem(public_key_pem), message, signature)


def verify_token(token: str, public_key_pem: str, *, now: float | None = None) -> dict[str, Any]:
    """Signature, form and expiry of a 亮证 token, checked with the department's public key."""
    out: dict[str, Any] = {"valid": False, "reason": "malformed", "license_id": "", "fields": {}}
    parts = (token or "").strip().split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return out
    try:
        payload = _b64d(parts[1])
        signature = _b64d(parts[2])
        doc = json.loads(payload.decode("utf-8"))
        if not isinstance(doc, dict) or crypto.canonical_bytes(doc) != payload:
            return out
    except ValueError:
        return out
    out["license_id"] = str(doc.get("lid", ""))
    out["expires_at"] = doc.get("exp")
    if doc.get("alg") != _safe_alg(public_key_pem):
        out["reason"] = "wrong_key"
        return out
    if not verify_signature(payload, signature, public_key_pem):
        out["reason"] = "bad_signature"
        return out
    if (now if now is not None else time.time()) >= int(doc.get("exp", 0)):
        out["reason"] = "token_expired"
        return out
    out.update(valid=True, reason="ok", fields=dict(doc.get("f", {})), type_name=doc.get("tn"))
    return out


def _safe_alg(pem: str) -> str:
    try:
        return _algorithm_of(pem)
    except ValueError:
        return ""
