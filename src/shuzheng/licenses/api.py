"""电子证照 API: wallet, licence detail with its signature, sealed PDF, 亮证, verification,
status changes, 存量证照 import, 用证记录."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from shuzheng.core.errors import Forbidden, ValidationFailed
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import BearerAuth, OptionalBearerAuth, principal_for_request
from shuzheng.licenses import documents, selectors, services
from shuzheng.licenses.contracts import PresentationVerdict
from shuzheng.licenses.models import License
from shuzheng.licenses.services.pdffiles import pdf_bytes

router = Router(tags=["licenses 电子证照"])

MAX_PDF = 5 * 1024 * 1024
MAX_CSV = 5 * 1024 * 1024


class HolderOut(Schema):
    kind: str
    id: str
    name: str


class IssuerOut(Schema):
    department_code: str
    name: str
    uscc: str


class SignatureOut(Schema):
    algorithm: str
    key_id: str
    signer_id: str
    signed_payload_b64: str
    signature_b64: str
    public_key_url: str


class LicenseSummary(Schema):
    license_id: str
    type_code: str
    type_name: str
    license_no: str
    status: str
    status_name: str
    holder: HolderOut
    issuer: IssuerOut
    issued_on: str
    valid_until: str | None


class LicenseOut(LicenseSummary):
    valid_from: str
    data: dict[str, str]
    labels: dict[str, str]
    signature: SignatureOut
    pdf_url: str


def _summary(lic: License, masked: bool = False) -> dict[str, Any]:
    """A licence's summary; ``masked`` for callers whose purpose does not need the person's data
    (selectors.personal_data_visible)."""
    status = selectors.effective_status(lic)
    holder_id, holder_name = lic.holder_id, lic.holder_name
    if masked:
        holder_id, holder_name = identity.mask_text(holder_id), identity.mask_name(holder_name)
    license_no = selectors.license_no_seen(lic, masked)
    return {
        "license_id": lic.license_id,
        "type_code": lic.license_type.code,
        "type_name": lic.license_type.name,
        "license_no": license_no,
        "status": status,
        "status_name": selectors.status_name(status),
        "holder": HolderOut(kind=lic.holder_kind, id=holder_id, name=holder_name),
        "issuer": IssuerOut(
            department_code=lic.department_code, name=lic.department_name, uscc=lic.department_uscc
        ),
        "issued_on": lic.issued_on.isoformat(),
        "valid_until": lic.valid_until.isoformat() if lic.valid_until else None,
    }


def license_out(lic: License, masked: bool = False) -> LicenseOut:
    """The licence in full; ``masked``: the person's data masked and the signed original (which
    holds it in clear) left out."""
    return LicenseOut(
        **_summary(lic, masked),
        valid_from=lic.valid_from.isoformat(),
        data={k: identity.mask_text(v) for k, v in lic.data.items()} if masked else lic.data,
        labels=lic.license_type.labels(),
        signature=SignatureOut(
            algorithm=lic.sign_algorithm,
            key_id=lic.sign_key_id,
            signer_id="1234567812345678",
            signed_payload_b64=""
            if masked
            else base64.b64encode(bytes(lic.signed_payload)).decode("ascii"),
            signature_b64=base64.b64encode(bytes(lic.signature)).decode("ascii"),
            public_key_url=(
                f"/api/v1/seals/{lic.department_code}/public-key?key_id={lic.sign_key_id}"
            ),
        ),
        pdf_url=f"/api/v1/licenses/{lic.license_id}/pdf",
    )


@router.get(
    "/licenses",
    response=list[LicenseSummary],
    auth=BearerAuth(),
    summary="电子证照夹：本人（及所代办企业）的证照；工作人员为本部门颁发的证照",
)
def wallet(
    request: HttpRequest, type_name: str = "", status: str = "", limit: int = 200
) -> list[dict[str, Any]]:
    principal = principal_for_request(request)
    if principal.kind in ("person", "agent"):
        rows = selectors.wallet(principal)
    else:
        rows = list(selectors.visible(principal)[: max(1, min(limit, 1000))])
    out = [_summary(r, not selectors.personal_data_visible(principal, r)) for r in rows]
    if type_name:
        out = [r for r in out if r["type_name"] == type_name]
    if status:
        out = [r for r in out if r["status"] == status]
    return out


class VerifyIn(Schema):
    token: str = Field(description="亮证码（SZP1.…），或二维码中的短链接（…/licenses/verify/?p=…）")
    purpose: str = ""


class VerifyOut(Schema):
    valid: bool
    reason: str
    message: str
    license_id: str
    type_name: str
    department_code: str
    department_name: str
    status: str
    expires_at: str | None
    fields: dict[str, str]
    labels: dict[str, str]


def verify_out(v: PresentationVerdict) -> VerifyOut:
    return VerifyOut(
        valid=v.valid,
        reason=v.reason,
        message=v.message,
        license_id=v.license_id,
        type_name=v.type_name,
        department_code=v.department_code,
        department_name=v.department_name,
        status=v.status,
        expires_at=v.expires_at.isoformat() if v.expires_at else None,
        fields=v.fields,
        labels=v.labels,
    )


def _verifier_name(principal: Principal) -> str:
    return principal.name if principal.is_authenticated else ""


@router.post(
    "/licenses/verify",
    response=VerifyOut,
    auth=OptionalBearerAuth(),
    summary="核验亮证码：签名、有效期、证照状态；只返回持证人选择出示的字段（公开，可匿名）",
)
def verify(request: HttpRequest, body: VerifyIn) -> VerifyOut:
    principal = principal_for_request(request)
    who = {
        "actor": principal.actor,
        "actor_name": _verifier_name(principal),
        "purpose": body.purpose.strip()[:200],
    }
    ref = services.presentation_ref_in(body.token)
    if ref:
        return verify_out(services.presentation_verify_ref(ref=ref, **who))
    return verify_out(services.presentation_verify(token=body.token, **who))


@router.post(
    "/licenses/verify-pdf",
    response=VerifyOut,
    auth=OptionalBearerAuth(),
    summary="核验电子证照 PDF 的电子签章（PAdES）与证照状态（公开，可匿名）",
)
def verify_pdf(request: HttpRequest, file: UploadedFile = File(...)) -> VerifyOut:  # noqa: B008
    if file.size and file.size > MAX_PDF:
        raise ValidationFailed.one("file", "文件不能超过5MB。")
    principal = principal_for_request(request)
    return verify_out(
        services.pdf_verify(
            pdf=file.read(), actor=principal.actor, actor_name=_verifier_name(principal)
        )
    )


class ImportOut(Schema):
    imported: int
    license_ids: list[str]


@router.post(
    "/licenses/import",
    response={201: ImportOut},
    auth=BearerAuth(),
    summary="导入存量证照（CSV，UTF-8 或 GBK）；任一行有错则整个文件不导入并逐行说明",
)
def import_csv(request: HttpRequest, file: UploadedFile = File(...)) -> Status:  # noqa: B008
    if file.size and file.size > MAX_CSV:
        raise ValidationFailed.one("file", "文件不能超过5MB。")
    issued = services.license_import_csv(
        principal=principal_for_request(request), content=file.read()
    )
    return Status(201, ImportOut(imported=len(issued), license_ids=[x.license_id for x in issued]))


class TypeOut(Schema):
    code: str
    name: str
    issuer_department: str
    holder_kinds: list[str]
    fields: list[dict[str, str]]
    replaces: list[str]


@router.get("/licenses/types", response=list[TypeOut], summary="电子证照类型目录（公开）")
def license_types(request: HttpRequest) -> list[TypeOut]:
    return [
        TypeOut(
            code=t.code,
            name=t.name,
            issuer_department=t.issuer_department,
            holder_kinds=list(t.holder_kinds),
            fields=[{"name": n, "label": label} for n, label in t.fields],
            replaces=list(t.replaces),
        )
        for t in selectors.types()
    ]


@router.get(
    "/licenses/{license_id}",
    response=LicenseOut,
    auth=BearerAuth(),
    summary="证照详情：照面信息、颁发部门、SM2 签名原文与签名值",
)
def detail(request: HttpRequest, license_id: str) -> LicenseOut:
    principal = principal_for_request(request)
    lic = selectors.license_for(principal, license_id)
    services.license_read_audit(principal=principal, lic=lic, what="detail")
    return license_out(lic, masked=not selectors.personal_data_visible(principal, lic))


@router.get(
    "/licenses/{license_id}/pdf",
    auth=BearerAuth(),
    summary="下载证照版式文件（PDF，含电子印章和 PAdES 签名）",
    response={200: bytes},
)
def pdf(request: HttpRequest, license_id: str) -> HttpResponse:
    principal = principal_for_request(request)
    lic = selectors.license_for(principal, license_id)
    if not selectors.personal_data_visible(principal, lic):
        raise Forbidden("版式文件含完整个人信息，仅持证人和颁发部门的经办人员可以下载。")
    services.license_read_audit(principal=principal, lic=lic, what="pdf")
    return pdf_response(lic)


def pdf_response(lic: License) -> HttpResponse:
    resp = HttpResponse(pdf_bytes(lic), content_type="application/pdf")
    filename = f"{lic.license_type.name}-{lic.license_no}.pdf"
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


class PresentIn(Schema):
    fields: list[str]
    ttl_seconds: int | None = None


class PresentOut(Schema):
    token: str
    expires_at: str
    qr_svg: str
    verify_url: str
    fields: list[str]
    qr_url: str = Field(
        description="二维码中的核验地址（短链接 /licenses/verify/?p=…，指向本次亮证）；"
        "verify_url 含完整亮证码，可离线核验"
    )


def verify_url(request: HttpRequest, token: str) -> str:
    return request.build_absolute_uri(f"/licenses/verify/?t={token}")


def qr_url(request: HttpRequest, nonce: str) -> str:
    """What the QR code carries: a short link to this presentation (see presentation_ref)."""
    return request.build_absolute_uri(f"/licenses/verify/?p={services.presentation_ref(nonce)}")


@router.post(
    "/licenses/{license_id}/presentations",
    response={201: PresentOut},
    auth=BearerAuth(),
    summary="亮证：持证人选择出示的字段，生成几分钟内有效的签名亮证码（含二维码 SVG）",
)
def present(request: HttpRequest, license_id: str, body: PresentIn) -> Status:
    p = services.presentation_create(
        principal=principal_for_request(request),
        license_id=license_id,
        fields=body.fields,
        ttl_seconds=body.ttl_seconds,
    )
    short = qr_url(request, p.nonce)
    return Status(
        201,
        PresentOut(
            token=p.token,
            expires_at=p.expires_at.isoformat(),
            qr_svg=documents.qr_svg(short, label="亮证二维码"),
            verify_url=verify_url(request, p.token),
            fields=p.fields,
            qr_url=short,
        ),
    )


class StatusIn(Schema):
    action: str
    reason: str = ""


@router.post(
    "/licenses/{license_id}/status",
    response=LicenseOut,
    auth=BearerAuth(),
    summary="变更证照状态：suspend 中止、resume 恢复、cancel 注销、revoke 吊销（发证部门）",
)
def change_status(request: HttpRequest, license_id: str, body: StatusIn) -> LicenseOut:
    principal = principal_for_request(request)
    lic = services.license_change_status(
        principal=principal, license_id=license_id, action=body.action, reason=body.reason
    )
    return license_out(lic, masked=not selectors.personal_data_visible(principal, lic))


class EventOut(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    actor: str
    at: str


class UseOut(Schema):
    kind: str
    kind_name: str
    actor: str
    actor_name: str
    purpose: str
    case_no: str
    result: str
    fields: list[str]
    at: str


class HistoryOut(Schema):
    license_id: str
    events: list[EventOut]
    uses: list[UseOut]


@router.get(
    "/licenses/{license_id}/history",
    response=HistoryOut,
    auth=BearerAuth(),
    summary="证照状态历史与用证记录（每次用证、亮证和核验）",
)
def history(request: HttpRequest, license_id: str) -> HistoryOut:
    principal = principal_for_request(request)
    lic = selectors.license_for(principal, license_id)
    services.license_read_audit(principal=principal, lic=lic, what="history")
    return HistoryOut(
        license_id=lic.license_id,
        events=[
            EventOut(
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                reason=e.reason,
                actor=e.actor,
                at=e.at.isoformat(),
            )
            for e in selectors.events(lic)
        ],
        uses=[
            UseOut(
                kind=u.kind,
                kind_name=str(u.get_kind_display()),
                actor=u.actor,
                actor_name=u.actor_name,
                purpose=u.purpose,
                case_no=u.case_no,
                result=u.result,
                fields=list(u.fields or []),
                at=u.at.isoformat(),
            )
            for u in selectors.uses_seen(principal, lic)
        ],
    )
