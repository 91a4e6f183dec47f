"""亮证 tokens: ``SZP1.<payload>.<signature>`` (both base64url without padding).

The payload is canonical JSON (seals.crypto ``SZ-CJSON-1``)::

    {"typ": "SZP1", "lid": <证照标识>, "tc": <类型代码>, "tn": <类型名称>,
     "iss": <部门编码>, "alg": "SM2-SM3", "kid": <密钥标识>,
     "f": {<字段>: <值>, ...},          # only the fields the holder chose
     "n": <nonce, 32 hex>, "iat": <unix seconds>, "exp": <unix seconds>}

signed by the issuing department's seal over exactly the payload bytes. Anyone with the
department's public key (``GET /api/v1/seals/{iss}/public-key?key_id={kid}``) can check it
offline; revocation and the presentation record need the online check.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from shuzheng.seals.facade import canonical_bytes

PREFIX = "SZP1"
MAX_TOKEN = 4000


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def b64d(text: str) -> bytes:
    if not text or not _B64_RE.fullmatch(text):
        raise ValueError("invalid base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


_B64_RE = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Parsed:
    payload_bytes: bytes
    payload: dict[str, Any]
    signature: bytes


def encode(payload: dict[str, Any], signature: bytes) -> str:
    return f"{PREFIX}.{b64e(canonical_bytes(payload))}.{b64e(signature)}"


def payload_bytes(payload: dict[str, Any]) -> bytes:
    return canonical_bytes(payload)


REQUIRED = {
    "typ": str,
    "lid": str,
    "tc": str,
    "tn": str,
    "iss": str,
    "alg": str,
    "kid": str,
    "f": dict,
    "n": str,
    "iat": int,
    "exp": int,
}


def parse(token: str) -> Parsed | None:
    """The parts of a well-formed token, or None (any deviation: malformed)."""
    token = (token or "").strip()
    if len(token) > MAX_TOKEN:
        return None
    parts = token.split(".")
    if len(parts) != 3 or parts[0] != PREFIX:
        return None
    try:
        raw = b64d(parts[1])
        sig = b64d(parts[2])
        doc = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError, binascii.Error):
        return None
    if not isinstance(doc, dict) or set(doc) != set(REQUIRED):
        return None
    for key, typ in REQUIRED.items():
        if not isinstance(doc[key], typ) or isinstance(doc[key], bool):
            return None
    if doc["typ"] != PREFIX or not all(isinstance(v, str) for v in doc["f"].values()):
        return None
    try:
        if canonical_bytes(doc) != raw:  # one byte form only: no re-encoded variants
            return None
    except ValueError:
        return None
    return Parsed(payload_bytes=raw, payload=doc, signature=sig)
