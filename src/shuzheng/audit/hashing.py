"""Canonical bytes and digests for the audit chain (SM3 by default, SHA-256 as alternative)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives import hashes

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    return str(value)


def normalise(value: Any) -> Any:
    """JSON-round-trip a value so what we hash is exactly what the database stores."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=_default, ensure_ascii=False))


def canonical_bytes(fields: dict[str, Any]) -> bytes:
    return json.dumps(
        fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_default
    ).encode("utf-8")


def digest(algorithm: str, data: bytes) -> str:
    if algorithm == "sm3":
        # OpenSSL's SM3 through `cryptography` (same digests as gmssl's pure-Python sm3_hash,
        # which the tests cross-check, at a fraction of the cost)
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()
    if algorithm == "sha256":
        return hashlib.sha256(data).hexdigest()
    raise ValueError(f"unknown audit hash algorithm {algorithm!r}")


def record_hash(algorithm: str, prev_hash: str, fields: dict[str, Any]) -> str:
    return digest(algorithm, prev_hash.encode("ascii") + b"\n" + canonical_bytes(fields))
