"""SM2 (GB/T 32918) signature backends, chosen by ``SHUZHENG_SM2_BACKEND``.

A small registry (docs/style.md, habit 6): each backend signs and verifies *messages* with the SM2
signature scheme over SM3, including the user-id hash ``Z`` (GB/T 32918.2 §6.1), and speaks
the interoperable encodings:

* private key: 32 bytes (big-endian ``d``); public key: 64 bytes ``x‖y`` (no ``04`` prefix);
* signature: DER ``SEQUENCE { r INTEGER, s INTEGER }`` (GM/T 0009, what OpenSSL emits).

Backends:

``gmssl-pyx``
    C extension over GmSSL 3 (PyPI ``gmssl-pyx``), the fast one (bench/licenses/README.md).
    The default when importable.
``gmssl``
    The pure-Python ``gmssl`` 3.2.2 package (elliptic-curve arithmetic in Python), an order
    of magnitude slower. Two upstream defects are worked around: its nonce comes from ``random``
    (not a CSPRNG), so we pass our own ``k`` from :mod:`secrets`; and ``CryptSM2.__init__`` strips
    *every* leading ``0``/``4`` hex digit of a public key, so we set the key after construction.
    SM3 for ``Z`` and ``e`` is computed with ``cryptography`` (OpenSSL), identical and faster.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from functools import cache
from typing import Protocol

from asn1crypto.algos import DSASignature
from cryptography.hazmat.primitives import hashes

DEFAULT_SIGNER_ID = b"1234567812345678"

# SM2 curve parameters (GB/T 32918.5)
P = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF", 16)
A = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC", 16)
B = int("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93", 16)
N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)
GX = int("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7", 16)
GY = int("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0", 16)


class Sm2Backend(Protocol):
    name: str

    def generate(self) -> tuple[bytes, bytes]:
        """A new key pair: (private 32 bytes, public 64 bytes x‖y)."""
        ...

    def sign(self, private: bytes, public: bytes, message: bytes, signer_id: bytes) -> bytes:
        """DER signature of ``message`` (SM3 with Z computed from ``signer_id``)."""
        ...

    def verify(self, public: bytes, message: bytes, signature: bytes, signer_id: bytes) -> bool: ...


_REGISTRY: dict[str, Callable[[], Sm2Backend]] = {}


def register(name: str) -> Callable[[Callable[[], Sm2Backend]], Callable[[], Sm2Backend]]:
    def deco(factory: Callable[[], Sm2Backend]) -> Callable[[], Sm2Backend]:
        _REGISTRY[name] = factory
        return factory

    return deco


def available() -> list[str]:
    """Names of the backends that load on this machine."""
    out = []
    for name in _REGISTRY:
        try:
            get(name)
        except ImportError:
            continue
        out.append(name)
    return out


@cache
def get(name: str) -> Sm2Backend:
    if name not in _REGISTRY:
        raise ValueError(f"未知的 SM2 后端 {name!r}；可选：{', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]()


def default_name() -> str:
    wanted = os.environ.get("SHUZHENG_SM2_BACKEND", "").strip()
    if wanted:
        return wanted
    try:
        get("gmssl-pyx")
    except ImportError:
        return "gmssl"
    return "gmssl-pyx"


def default() -> Sm2Backend:
    return get(default_name())


# --- helpers shared by backends ---------------------------------------------------------------


def sm3(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def z_value(public: bytes, signer_id: bytes) -> bytes:
    """Z_A = SM3(ENTL_A ‖ ID_A ‖ a ‖ b ‖ x_G ‖ y_G ‖ x_A ‖ y_A) (GB/T 32918.2 §5.5)."""
    entl = (len(signer_id) * 8).to_bytes(2, "big")
    parts = [A, B, GX, GY]
    return sm3(entl + signer_id + b"".join(v.to_bytes(32, "big") for v in parts) + public)


def der_signature(r: int, s: int) -> bytes:
    return bytes(DSASignature({"r": r, "s": s}).dump())


def parse_der_signature(signature: bytes) -> tuple[int, int] | None:
    """(r, s) of a strict DER signature in range, or None."""
    try:
        parsed = DSASignature.load(signature, strict=True)
        r, s = int(parsed["r"].native), int(parsed["s"].native)
    except (ValueError, TypeError, KeyError):
        return None
    if not (1 <= r < N and 1 <= s < N):
        return None
    if der_signature(r, s) != signature:
        return None
    return r, s


def _check_public(public: bytes) -> None:
    if len(public) != 64:
        raise ValueError("SM2 公钥应为 64 字节 x‖y")


# --- gmssl-pyx (C, GmSSL 3) -------------------------------------------------------------------


class _GmsslPyx:
    name = "gmssl-pyx"

    def __init__(self) -> None:
        import gmssl_pyx

        self._g = gmssl_pyx

    def generate(self) -> tuple[bytes, bytes]:
        public, private = self._g.sm2_key_generate()
        return bytes(private), bytes(public)

    def sign(self, private: bytes, public: bytes, message: bytes, signer_id: bytes) -> bytes:
        _check_public(public)
        return bytes(self._g.sm2_sign(private, public, message, signer_id=signer_id))

    def verify(self, public: bytes, message: bytes, signature: bytes, signer_id: bytes) -> bool:
        _check_public(public)
        if parse_der_signature(signature) is None:
            return False
        try:
            return bool(self._g.sm2_verify(public, message, signature, signer_id=signer_id))
        except self._g.GmsslInnerError:
            return False


@register("gmssl-pyx")
def _gmssl_pyx() -> Sm2Backend:
    return _GmsslPyx()


# --- gmssl (pure Python) ----------------------------------------------------------------------


class _GmsslPure:
    name = "gmssl"

    def __init__(self) -> None:
        from gmssl import sm2

        self._sm2 = sm2

    def _crypt(self, private_hex: str, public: bytes) -> object:
        c = self._sm2.CryptSM2(private_key=private_hex, public_key="")
        c.public_key = public.hex()  # bypass the constructor's lstrip("04") defect
        return c

    def generate(self) -> tuple[bytes, bytes]:
        d = secrets.randbelow(N - 2) + 1
        c = self._crypt(f"{d:064x}", b"\0" * 64)
        point = c._kg(d, c.ecc_table["g"])  # type: ignore[attr-defined]
        return d.to_bytes(32, "big"), bytes.fromhex(point)

    def sign(self, private: bytes, public: bytes, message: bytes, signer_id: bytes) -> bytes:
        _check_public(public)
        e = sm3(z_value(public, signer_id) + message)
        c = self._crypt(private.hex(), public)
        while True:
            k = secrets.randbelow(N - 1) + 1
            raw = c.sign(e, f"{k:064x}")  # type: ignore[attr-defined]
            if raw:
                return der_signature(int(raw[:64], 16), int(raw[64:], 16))

    def verify(self, public: bytes, message: bytes, signature: bytes, signer_id: bytes) -> bool:
        _check_public(public)
        rs = parse_der_signature(signature)
        if rs is None:
            return False
        e = sm3(z_value(public, signer_id) + message)
        c = self._crypt("0" * 64, public)
        try:
            return bool(c.verify(f"{rs[0]:064x}{rs[1]:064x}", e))  # type: ignore[attr-defined]
        except (ValueError, TypeError):
            return False


@register("gmssl")
def _gmssl() -> Sm2Backend:
    return _GmsslPure()
