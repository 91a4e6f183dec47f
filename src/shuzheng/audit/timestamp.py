"""RFC 3161 time-stamps for audit anchors (optional: ``SHUZHENG_TSA_URL``).

An anchor's canonical bytes are hashed (SHA-256, what every TSA accepts), sent as a
``TimeStampReq`` with a fresh nonce, and the answer's token (a CMS ``SignedData`` over a
``TSTInfo``) is checked before it is kept: the imprint is ours, the nonce is ours, the content
digest matches and the TSA's signature over the signed attributes verifies with the certificate
in the token. ``SHUZHENG_TSA_CERT`` (a PEM file with the TSA's certificate or the CA that issued
it) pins who may time-stamp; without it any well-formed token is accepted as a time claim.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import urllib.request
from pathlib import Path

from asn1crypto import cms, core, tsp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

MAX_RESPONSE = 1_000_000
_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


class TimestampError(ValueError):
    pass


class TimeStampResp(core.Sequence):
    """RFC 3161 §2.4.2: the token is absent when the request is refused (asn1crypto's class
    requires it, so a refusal would not even parse)."""

    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


def _digest(name: str, data: bytes) -> bytes:
    if name not in _HASHES:
        raise TimestampError(f"时间戳使用了不支持的摘要算法 {name}")
    return hashlib.new(name, data).digest()


def request(url: str, data: bytes, *, timeout: float = 10.0, trusted_pem: bytes = b"") -> bytes:
    """Ask the TSA at ``url`` to time-stamp ``data``; returns the checked token (DER)."""
    nonce = secrets.randbits(63)
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": {"algorithm": "sha256"},
                "hashed_message": _digest("sha256", data),
            },
            "nonce": nonce,
            "cert_req": True,
        }
    )
    if not url.startswith(("http://", "https://")):
        raise TimestampError("时间戳服务地址应以 http:// 或 https:// 开头")
    http = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url,
        data=req.dump(),
        headers={
            "Content-Type": "application/timestamp-query",
            "Accept": "application/timestamp-reply",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(http, timeout=timeout) as resp:  # noqa: S310
            body = resp.read(MAX_RESPONSE)
    except OSError as exc:
        raise TimestampError(f"时间戳服务无法访问：{exc}") from None
    try:
        answer = TimeStampResp.load(body)
        status = answer["status"]["status"].native
    except (ValueError, TypeError):
        raise TimestampError("时间戳服务的应答无法解析") from None
    if status not in ("granted", "granted_with_mods"):
        raise TimestampError(f"时间戳服务拒绝了请求（{status}）")
    token = answer["time_stamp_token"].dump()
    check(token, data, nonce=nonce, trusted_pem=trusted_pem)
    return token


def _signed_by(
    cert: x509.Certificate, signature: bytes, data: bytes, algo: str, digest: str
) -> bool:
    key = cert.public_key()
    hash_cls = _HASHES.get(digest)
    if hash_cls is None:
        return False
    try:
        if isinstance(key, rsa.RSAPublicKey) and algo == "rsassa_pkcs1v15":
            key.verify(signature, data, padding.PKCS1v15(), hash_cls())
            return True
        if isinstance(key, ec.EllipticCurvePublicKey) and algo == "ecdsa":
            key.verify(signature, data, ec.ECDSA(hash_cls()))
            return True
    except InvalidSignature:
        return False
    return False


def _trusted(cert: x509.Certificate, trusted_pem: bytes) -> bool:
    for anchor in x509.load_pem_x509_certificates(trusted_pem):
        if cert == anchor:
            return True
        try:
            cert.verify_directly_issued_by(anchor)
            return True
        except (ValueError, TypeError, InvalidSignature):
            continue
    return False


def check(
    token: bytes, data: bytes, *, nonce: int | None = None, trusted_pem: bytes = b""
) -> dt.datetime:
    """Check a time-stamp token over ``data``; returns the TSA's time (raises TimestampError)."""
    try:
        info = cms.ContentInfo.load(token)
        if info["content_type"].native != "signed_data":
            raise TimestampError("时间戳不是 CMS SignedData")
        signed = info["content"]
        encap = signed["encap_content_info"]
        if encap["content_type"].native != "tst_info":
            raise TimestampError("时间戳的内容不是 TSTInfo")
        tst_der = encap["content"].contents
        tst = tsp.TSTInfo.load(tst_der)
        imprint = tst["message_imprint"]
        if imprint["hashed_message"].native != _digest(
            imprint["hash_algorithm"]["algorithm"].native, data
        ):
            raise TimestampError("时间戳的消息摘要与锚点不符")
        if nonce is not None and tst["nonce"].native != nonce:
            raise TimestampError("时间戳的随机数与请求不符")
        gen_time: dt.datetime = tst["gen_time"].native
        signer = signed["signer_infos"][0]
        digest_name = signer["digest_algorithm"]["algorithm"].native
        attrs = {a["type"].native: a["values"][0] for a in signer["signed_attrs"]}
        if attrs.get("content_type") is None or attrs["content_type"].native != "tst_info":
            raise TimestampError("时间戳的签名属性缺少内容类型")
        if attrs.get("message_digest") is None or attrs["message_digest"].native != _digest(
            digest_name, tst_der
        ):
            raise TimestampError("时间戳内容与其签名属性中的摘要不符")
        sid = signer["sid"]
        cert_der = b""
        for c in signed["certificates"] or []:
            cert_obj = c.chosen
            if sid.name == "issuer_and_serial_number":
                want = sid.chosen
                if (
                    cert_obj.issuer == want["issuer"]
                    and cert_obj.serial_number == want["serial_number"].native
                ):
                    cert_der = cert_obj.dump()
            elif cert_obj.key_identifier == sid.chosen.native:
                cert_der = cert_obj.dump()
        if not cert_der:
            raise TimestampError("时间戳中没有签名者的证书")
        cert = x509.load_der_x509_certificate(cert_der)
        to_sign = b"\x31" + signer["signed_attrs"].dump()[1:]  # [0] IMPLICIT → SET OF
        if not _signed_by(
            cert,
            signer["signature"].native,
            to_sign,
            signer["signature_algorithm"].signature_algo,
            digest_name,
        ):
            raise TimestampError("时间戳服务的签名无效")
        if not cert.not_valid_before_utc <= gen_time <= cert.not_valid_after_utc:
            raise TimestampError("时间戳的时间不在签名证书的有效期内")
        if trusted_pem and not _trusted(cert, trusted_pem):
            raise TimestampError("时间戳不是由受信任的时间戳服务签发的（SHUZHENG_TSA_CERT）")
        return gen_time
    except TimestampError:
        raise
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise TimestampError(f"时间戳格式无效：{exc}") from None


def trusted_pem(path: str) -> bytes:
    """The pinned TSA certificate(s) from ``SHUZHENG_TSA_CERT`` (empty: none pinned)."""
    return Path(path).read_bytes() if path else b""
