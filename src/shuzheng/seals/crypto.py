"""Signature suites, key encodings and the canonical byte form that licences are signed over.

Suites (``Seal.algorithm`` and ``signature.algorithm`` in the API):

``SM2-SM3`` (default, 国密)
    SM2 signature with SM3 and the default signer id ``1234567812345678`` (GB/T 32918.2,
    GB/T 35276), DER ``SEQUENCE{r, s}``. Public keys are published as a standard
    SubjectPublicKeyInfo: ``id-ecPublicKey`` (1.2.840.10045.2.1) with the named curve
    ``sm2`` (1.2.156.10197.1.301), which OpenSSL 3 reads as an SM2 key.
``ED25519``
    RFC 8032 over the same bytes.
``ECDSA-P256-SHA256``
    ECDSA on P-256 with SHA-256, DER signature. The PDF (PAdES) signature always uses a P-256
    key and a self-signed X.509 certificate, because PDF readers do not know SM2.
"""

from __future__ import annotations

import functools
import json
import unicodedata
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import pem as asn1_pem
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from shuzheng.seals import backends

SM2_SM3 = "SM2-SM3"
ED25519 = "ED25519"
ECDSA_P256 = "ECDSA-P256-SHA256"
SUITES = (SM2_SM3, ED25519, ECDSA_P256)
SM2_CURVE_OID = "1.2.156.10197.1.301"
SIGNER_ID = backends.DEFAULT_SIGNER_ID


class CanonicalError(ValueError):
    pass


def _check(value: Any, path: str) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if abs(value) > 2**53:
            raise CanonicalError(f"{path}: 整数超出范围")
        return value
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list | tuple):
        return [_check(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise CanonicalError(f"{path}: 键必须是字符串")
            out[unicodedata.normalize("NFC", k)] = _check(v, f"{path}.{k}")
        return out
    raise CanonicalError(f"{path}: 不支持的类型 {type(value).__name__}（小数请写成字符串）")


def canonical_bytes(obj: Any) -> bytes:
    """SZ-CJSON-1: the bytes a licence or a token payload is signed over.

    JSON (RFC 8259) with object keys sorted by code point, no insignificant whitespace,
    non-ASCII characters written as UTF-8 (never ``\\u`` escapes), strings in Unicode NFC;
    values are only strings, integers (|n| ≤ 2^53), booleans, null, arrays and objects
    (no floats: decimals are strings). Equivalent to RFC 8785 (JCS) for such values.
    """
    return json.dumps(
        _check(obj, "$"), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


# --- keys -------------------------------------------------------------------------------------


def sm2_spki_der(public: bytes) -> bytes:
    info = asn1_keys.PublicKeyInfo(
        {
            "algorithm": asn1_keys.PublicKeyAlgorithm(
                {
                    "algorithm": "ec",
                    "parameters": asn1_keys.ECDomainParameters(name="named", value=SM2_CURVE_OID),
                }
            ),
            "public_key": b"\x04" + public,
        }
    )
    return bytes(info.dump())


def pem_of(der: bytes) -> str:
    return str(asn1_pem.armor("PUBLIC KEY", der).decode("ascii"))


def der_of_pem(pem: str | bytes) -> bytes:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    _, _, der = asn1_pem.unarmor(data)
    return bytes(der)


@functools.lru_cache(maxsize=256)
def sm2_public_from_spki(der: bytes) -> bytes:
    """The 64-byte x‖y of an SM2 SubjectPublicKeyInfo (raises ValueError otherwise)."""
    info = asn1_keys.PublicKeyInfo.load(der)
    algo = info["algorithm"]
    if algo["algorithm"].native != "ec" or algo["parameters"].chosen.dotted != SM2_CURVE_OID:
        raise ValueError("不是 SM2 公钥")
    point = bytes(info["public_key"].native)
    if len(point) != 65 or point[0] != 4:
        raise ValueError("SM2 公钥应为未压缩点")
    return point[1:]


def sm3_hex(data: bytes) -> str:
    return backends.sm3(data).hex()


def generate(algorithm: str, *, backend: str | None = None) -> tuple[bytes, bytes]:
    """(private key bytes, SubjectPublicKeyInfo DER) for a new key of ``algorithm``.

    Private key bytes: SM2 = the 32-byte scalar; others = unencrypted PKCS#8 DER.
    """
    if algorithm == SM2_SM3:
        private, public = (backends.get(backend) if backend else backends.default()).generate()
        return private, sm2_spki_der(public)
    key: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    if algorithm == ED25519:
        key = ed25519.Ed25519PrivateKey.generate()
    elif algorithm == ECDSA_P256:
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError(f"未知的签名算法 {algorithm}")
    private_der = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_der = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_der, public_der


def key_id(spki_der: bytes) -> str:
    """A seal key's id: the first 16 hex digits of SM3 over its SubjectPublicKeyInfo DER."""
    return sm3_hex(spki_der)[:16]


def sign(
    algorithm: str, private: bytes, spki_der: bytes, message: bytes, *, backend: str | None = None
) -> bytes:
    if algorithm == SM2_SM3:
        impl = backends.get(backend) if backend else backends.default()
        return impl.sign(private, sm2_public_from_spki(spki_der), message, SIGNER_ID)
    key = serialization.load_der_private_key(private, password=None)
    if algorithm == ED25519 and isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(message)
    if algorithm == ECDSA_P256 and isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(message, ec.ECDSA(hashes.SHA256()))
    raise ValueError(f"密钥与算法 {algorithm} 不符")


def verify(
    algorithm: str,
    spki_der: bytes,
    message: bytes,
    signature: bytes,
    *,
    backend: str | None = None,
) -> bool:
    if algorithm == SM2_SM3:
        impl = backends.get(backend) if backend else backends.default()
        try:
            public = sm2_public_from_spki(spki_der)
        except ValueError:
            return False
        return impl.verify(public, message, signature, SIGNER_ID)
    try:
        key = serialization.load_der_public_key(spki_der)
    except (ValueError, UnsupportedAlgorithm):
        return False
    try:
        if algorithm == ED25519 and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, message)
            return True
        if algorithm == ECDSA_P256 and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            return True
    except InvalidSignature:
        return False
    return False
