"""Private keys at rest: AES-256-GCM under a master key from the environment.

``SHUZHENG_SEAL_KEY`` holds one or more master secrets separated by commas (at least 32
characters each, e.g. ``openssl rand -base64 48``). The first encrypts new keys; all of them
decrypt, so a master secret is rotated by prepending the new one, running
``shuzheng seal_rewrap`` and then removing the old one. Only with ``SHUZHENG_DEMO=1`` or under
tests does a fixed demo secret apply when the variable is unset.

Stored form: ``v1.<master id>.<nonce b64>.<ciphertext b64>``; the associated data is the seal's
key id, so an encrypted key cannot be moved to another seal row.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENV = "SHUZHENG_SEAL_KEY"
DEMO_SECRET = "shuzheng-demo-seal-key-NOT-FOR-PRODUCTION-0000000000"
MIN_LENGTH = 32


def _secrets() -> list[str]:
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        if getattr(settings, "DEMO", False) or getattr(settings, "TESTING", False):
            return [DEMO_SECRET]
        raise ImproperlyConfigured(
            f"{ENV} 未设置：电子印章私钥需要主密钥加密保存（至少 {MIN_LENGTH} 个字符）。"
        )
    parts = [p.strip() for p in raw.split(",") if p.strip()]
    for p in parts:
        if len(p) < MIN_LENGTH:
            raise ImproperlyConfigured(f"{ENV} 的每个主密钥至少 {MIN_LENGTH} 个字符。")
    return parts


def _derive(secret: str) -> tuple[str, bytes]:
    key = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=b"shuzheng-seals", info=b"seal-key-v1"
    ).derive(secret.encode("utf-8"))
    return hashlib.sha256(key).hexdigest()[:8], key


def _keys() -> list[tuple[str, bytes]]:
    return [_derive(s) for s in _secrets()]


def current_master_id() -> str:
    return _keys()[0][0]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encrypt(plain: bytes, *, aad: str) -> str:
    master_id, key = _keys()[0]
    nonce = secrets.token_bytes(12)
    ct = AESGCM(key).encrypt(nonce, plain, aad.encode("utf-8"))
    return f"v1.{master_id}.{_b64(nonce)}.{_b64(ct)}"


def decrypt(stored: str, *, aad: str) -> bytes:
    try:
        version, master_id, nonce_b64, ct_b64 = stored.split(".")
    except ValueError:
        raise ValueError("印章私钥的存储格式无效") from None
    if version != "v1":
        raise ValueError("印章私钥的存储格式版本未知")
    for mid, key in _keys():
        if mid == master_id:
            try:
                return AESGCM(key).decrypt(_unb64(nonce_b64), _unb64(ct_b64), aad.encode("utf-8"))
            except InvalidTag:
                raise ValueError("印章私钥解密失败：数据被篡改或主密钥不符") from None
    raise ValueError(f"印章私钥由主密钥 {master_id} 加密，但 {ENV} 中没有该主密钥")
