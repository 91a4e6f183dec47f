"""亮证: a holder presents chosen fields as a signed, short-lived token; verifiers check the
token, the public status behind a PDF's QR code, or an uploaded PDF. Every check is audited and,
when the licence is known, written to its 用证记录.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, FieldError, Forbidden, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.licenses import fastpath, identifiers, selectors, tokens
from shuzheng.licenses.contracts import PresentationVerdict
from shuzheng.licenses.models import License, LicenseStatus, LicenseUse, Presentation
from shuzheng.licenses.services.issuing import sign_payload
from shuzheng.seals import facade as seals

PRESENTATION_SECONDS = 300
PRESENTATION_MIN, PRESENTATION_MAX = 60, 600

REASONS = {
    "ok": "证照有效：出示的信息经颁发部门电子印章签名，未被篡改。",
    "malformed": "不是有效的亮证码：格式错误或内容不完整。",
    "bad_signature": "签名校验失败：亮证码内容被篡改，或不是本平台签发。",
    "unknown_key": "签名密钥未知：不是本平台电子印章签发的亮证码。",
    "wrong_department": "签名印章与颁发部门不符。",
    "key_revoked": "签名所用的电子印章已吊销，亮证码不可信。",
    "token_expired": "亮证码已过期，请持证人重新亮证。",
    "not_found": "证照不存在。",
    "unknown_presentation": "平台上没有这次亮证的记录。",
    "license_revoked": "证照已注销或吊销。",
    "license_suspended": "证照已中止使用。",
    "license_expired": "证照已超过有效期。",
}


def presentation_create(
    *,
    principal: Principal,
    license_id: str,
    fields: list[str],
    ttl_seconds: int | None = None,
    backend: str | None = None,
) -> Presentation:
    lic = selectors.license_for(principal, license_id)
    if not selectors.is_holder(principal, lic):
        raise Forbidden("只有持证人本人（或企业经办人）可以亮证。")
    status = selectors.effective_status(lic)
    if status != LicenseStatus.VALID:
        raise Conflict(
            f"证照状态为“{selectors.status_name(status)}”，不能亮证。", extra={"status": status}
        )
    ttl = PRESENTATION_SECONDS if ttl_seconds is None else int(ttl_seconds)
    if not PRESENTATION_MIN <= ttl <= PRESENTATION_MAX:
        raise ValidationFailed.one(
            "ttl_seconds", f"亮证码有效期应在 {PRESENTATION_MIN} 到 {PRESENTATION_MAX} 秒之间。"
        )
    if not isinstance(fields, list) or len(set(fields)) != len(fields):
        raise ValidationFailed.one("fields", "请选择要出示的数据项（不重复）。")
    labels = lic.license_type.labels()
    errors = []
    for i, f in enumerate(fields):
        if f not in labels:
            errors.append(FieldError(f"fields.{i}", f"{lic.license_type.name}没有数据项“{f}”。"))
        elif not lic.data.get(f):
            errors.append(FieldError(f"fields.{i}", f"证照上没有填写“{labels[f]}”。"))
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now().replace(microsecond=0)
    exp = now + dt.timedelta(seconds=ttl)
    nonce = secrets.token_hex(16)
    disclosed = {f: lic.data[f] for f in fields}

    def build(kid: str) -> bytes:
        return tokens.payload_bytes(_token_doc(lic, kid, disclosed, nonce, now, exp))

    with transaction.atomic():
        _message, sig = sign_payload(lic.department_code, lic.sign_algorithm, build, backend)
        token = tokens.encode(
            _token_doc(lic, sig.key_id, disclosed, nonce, now, exp), sig.signature
        )
        p = Presentation.objects.create(
            license=lic,
            nonce=nonce,
            fields=fields,
            token=token,
            created_by=principal.actor,
            created_at=now,
            expires_at=exp,
        )
        LicenseUse.objects.create(
            license=lic,
            kind=LicenseUse.Kind.PRESENT,
            actor=principal.actor,
            actor_name=principal.name,
            purpose=f"亮证（{ttl // 60} 分钟内有效）",
            presentation=p,
            result="issued",
            fields=fields,
            at=now,
        )
        audit.record(
            actor=principal.actor,
            action="licenses.present",
            object_type="licenses.license",
            object_id=lic.license_id,
            after={"nonce": nonce, "fields": fields, "expires_at": exp.isoformat()},
        )
    return p


def _token_doc(
    lic: License,
    kid: str,
    disclosed: dict[str, str],
    nonce: str,
    now: dt.datetime,
    exp: dt.datetime,
) -> dict[str, Any]:
    return {
        "typ": tokens.PREFIX,
        "lid": lic.license_id,
        "tc": lic.license_type.code,
        "tn": lic.license_type.name,
        "iss": lic.department_code,
        "alg": lic.sign_algorithm,
        "kid": kid,
        "f": disclosed,
        "n": nonce,
        "iat": int(now.timestamp()),
        "exp": int(exp.timestamp()),
    }


def _verdict(reason: str, lic: License | None = None, **kw: Any) -> PresentationVerdict:
    if lic is None:
        return PresentationVerdict(
            valid=reason == "ok", reason=reason, message=REASONS[reason], **kw
        )
    return PresentationVerdict(
        valid=reason == "ok",
        reason=reason,
        message=REASONS[reason],
        license_id=lic.license_id,
        type_name=lic.license_type.name,
        department_code=lic.department_code,
        department_name=lic.department_name,
        status=selectors.effective_status(lic),
        **kw,
    )


def _status_reason(lic: License) -> str:
    status = selectors.effective_status(lic)
    return {
        "revoked": "license_revoked",
        "suspended": "license_suspended",
        "expired": "license_expired",
    }.get(status, "ok")


def presentation_verify(
    *,
    token: str,
    actor: str,
    actor_name: str = "",
    purpose: str = "",
    backend: str | None = None,
) -> PresentationVerdict:
    """Check a 亮证 token: form, seal signature, expiry, the presentation record and the
    licence's status. Returns the disclosed fields only when everything holds. Every check is
    audited; when the token is authentic it is also written to the licence's 用证记录."""
    now = timezone.now()
    parsed = tokens.parse(token)
    lic: License | None = None
    pres: Presentation | None = None
    if parsed is None:
        verdict = _verdict("malformed")
    else:
        doc = parsed.payload
        outcome = seals.verify(
            doc["kid"],
            parsed.payload_bytes,
            parsed.signature,
            algorithm=doc["alg"],
            department_code=doc["iss"],
            backend=backend,
        )
        if not outcome.valid:
            verdict = _verdict(outcome.reason)
        else:
            exp = dt.datetime.fromtimestamp(doc["exp"], tz=dt.UTC)
            # one query on the normal path: the presentation with its licence and type (plain
            # SQL, see fastpath.py)
            pres = fastpath.presentation_with_license(str(doc["n"]), str(doc["lid"]))
            lic = pres.license if pres is not None else selectors.by_license_id(doc["lid"])
            if lic is None:
                verdict = _verdict("not_found", expires_at=exp)
            else:
                if pres is None or int(pres.expires_at.timestamp()) != doc["exp"]:
                    verdict = _verdict("unknown_presentation", lic, expires_at=exp)
                elif now.timestamp() >= doc["exp"]:
                    verdict = _verdict("token_expired", lic, expires_at=exp)
                else:
                    reason = _status_reason(lic)
                    ok = reason == "ok"
                    labels = lic.license_type.labels()
                    verdict = _verdict(
                        reason,
                        lic,
                        expires_at=exp,
                        fields=dict(doc["f"]) if ok else {},
                        labels={k: labels.get(k, k) for k in doc["f"]} if ok else {},
                    )
    with transaction.atomic():
        if lic is not None:
            LicenseUse.objects.create(
                license=lic,
                kind=LicenseUse.Kind.VERIFY,
                presentation=pres,
                actor=actor,
                actor_name=(actor_name or "")[:128],
                purpose=(purpose or "扫码核验亮证码")[:200],
                result=verdict.reason,
                fields=list(verdict.fields),
                at=now,
            )
        audit.record(
            actor=actor,
            action="licenses.verify",
            object_type="licenses.license",
            object_id=lic.license_id if lic else "-",
            after={
                "reason": verdict.reason,
                "nonce": parsed.payload["n"] if parsed else "",
                "fields": list(verdict.fields),
                "verifier": (actor_name or "")[:128],
                "purpose": (purpose or "")[:200],
            },
        )
    return verdict


# --- the QR code's short reference ------------------------------------------------------------
# A whole token is 500-800 characters: a QR code of version 18-23 (97-117 modules), too dense to
# fit and scan on a small phone. The code carries ``/licenses/verify/?p=<ref>`` instead: the
# presentation's nonce (16 bytes) and a 96-bit MAC of it under the server's key, base64url — 38
# characters, a version 4-5 code. Only this server can make a reference (knowing a nonce, e.g.
# from the audit log, is not enough), and it names a stored presentation whose token is then
# verified exactly as a scanned token is. The token itself stays on the page and in the API for
# offline verification.
_REF_SALT = "shuzheng.licenses.presentation-ref"
_REF_NONCE, _REF_MAC = 16, 12


def presentation_ref(nonce: str) -> str:
    raw = bytes.fromhex(nonce)
    return tokens.b64e(raw + salted_hmac(_REF_SALT, raw, algorithm="sha256").digest()[:_REF_MAC])


def presentation_nonce_of_ref(ref: str) -> str | None:
    """The nonce a reference names, or None if it is not one this server made."""
    try:
        raw = tokens.b64d(ref.strip())
    except ValueError:
        return None
    if len(raw) != _REF_NONCE + _REF_MAC:
        return None
    nonce, mac = raw[:_REF_NONCE], raw[_REF_NONCE:]
    good = salted_hmac(_REF_SALT, nonce, algorithm="sha256").digest()[:_REF_MAC]
    return nonce.hex() if constant_time_compare(mac, good) else None


_REF_IN_TEXT = re.compile(r"(?:^|[?&]p=)([A-Za-z0-9_-]{38})(?:$|&)")


def presentation_ref_in(text: str) -> str | None:
    """The short reference in what a verifier typed or scanned — the reference itself or the
    QR code's link (``…/licenses/verify/?p=<ref>``) — or None (then it is a token)."""
    m = _REF_IN_TEXT.search(text.strip())
    return m.group(1) if m else None


def presentation_verify_ref(
    *, ref: str, actor: str, actor_name: str = "", purpose: str = ""
) -> PresentationVerdict:
    """Check the presentation a QR code's short reference names: its stored token is verified
    as ``presentation_verify`` verifies a scanned token (seal signature, expiry, the licence's
    status, 用证记录, audit). A reference this server did not make is ``malformed``; one naming
    no presentation, ``unknown_presentation`` — both audited."""
    nonce = presentation_nonce_of_ref(ref)
    token = (
        Presentation.objects.filter(nonce=nonce).values_list("token", flat=True).first()
        if nonce
        else None
    )
    if token:
        return presentation_verify(token=token, actor=actor, actor_name=actor_name, purpose=purpose)
    verdict = _verdict("unknown_presentation" if nonce else "malformed")
    with transaction.atomic():
        audit.record(
            actor=actor,
            action="licenses.verify",
            object_type="licenses.license",
            object_id="-",
            after={
                "reason": verdict.reason,
                "nonce": nonce or "",
                "fields": [],
                "verifier": (actor_name or "")[:128],
                "purpose": (purpose or "")[:200],
            },
        )
    return verdict


def license_check(
    *, license_id: str, actor: str, actor_name: str = "", purpose: str = ""
) -> PresentationVerdict:
    """The public status check behind the PDF's QR code: type, issuer and status only."""
    if not identifiers.check_license_id(license_id):
        verdict = _verdict("malformed")
        lic = None
    else:
        lic = selectors.by_license_id(license_id)
        verdict = _verdict(_status_reason(lic), lic) if lic else _verdict("not_found")
    with transaction.atomic():
        if lic is not None:
            LicenseUse.objects.create(
                license=lic,
                kind=LicenseUse.Kind.VERIFY,
                actor=actor,
                actor_name=(actor_name or "")[:128],
                purpose=(purpose or "扫码核验证照状态")[:200],
                result=verdict.reason,
                at=timezone.now(),
            )
        audit.record(
            actor=actor,
            action="licenses.check",
            object_type="licenses.license",
            object_id=lic.license_id if lic else "-",
            after={"reason": verdict.reason},
        )
    return verdict


def pdf_verify(*, pdf: bytes, actor: str, actor_name: str = "") -> PresentationVerdict:
    """Check an uploaded licence PDF: the PAdES seal signature, then the licence status."""
    outcome = seals.verify_pdf(pdf)
    lic = (
        License.objects.select_related("license_type")
        .filter(pdf_sha256=hashlib.sha256(pdf).hexdigest())
        .first()
        if outcome.valid
        else None
    )
    if not outcome.valid:
        reason = {
            "modified": "bad_signature",
            "bad_signature": "bad_signature",
            "untrusted": "unknown_key",
        }.get(outcome.reason, "malformed")
        verdict = _verdict(reason)
        verdict = PresentationVerdict(
            **{**verdict.__dict__, "message": _PDF_REASONS[outcome.reason]}
        )
    elif lic is None:
        verdict = _verdict("not_found")
    else:
        verdict = _verdict(_status_reason(lic), lic)
    with transaction.atomic():
        if lic is not None:
            LicenseUse.objects.create(
                license=lic,
                kind=LicenseUse.Kind.VERIFY,
                actor=actor,
                actor_name=actor_name[:128],
                purpose="PDF 版式文件验签",
                result=verdict.reason,
                at=timezone.now(),
            )
        audit.record(
            actor=actor,
            action="licenses.verify_pdf",
            object_type="licenses.license",
            object_id=lic.license_id if lic else "-",
            after={"reason": verdict.reason, "pdf": outcome.reason},
        )
    return verdict


_PDF_REASONS = {
    "ok": REASONS["ok"],
    "no_signature": "PDF 中没有电子签章。",
    "modified": "PDF 签章后被修改：文件内容与签名不符。",
    "bad_signature": "PDF 签名值无效：文件被篡改。",
    "untrusted": "PDF 签章证书不是本平台电子印章的证书。",
    "malformed": "不是有效的 PDF 文件。",
}
