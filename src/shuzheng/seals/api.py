"""电子印章 API: published public keys, certificates and seal images; rotation by admins."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from shuzheng.identity.facade import BearerAuth, principal_for_request, require_role
from shuzheng.seals import crypto, selectors, services

router = Router(tags=["seals 电子印章"])


class SealKeyOut(Schema):
    seal_id: str
    name: str
    algorithm: str
    key_id: str
    status: str
    valid_from: str
    valid_until: str
    retired_at: str | None
    public_key_pem: str


class SealOut(Schema):
    department_code: str
    department_name: str
    department_uscc: str
    signer_id: str
    keys: list[SealKeyOut]


def _key(s: object) -> SealKeyOut:
    info = selectors.info(s)  # type: ignore[arg-type]
    return SealKeyOut(
        seal_id=info.seal_id,
        name=info.name,
        algorithm=info.algorithm,
        key_id=info.key_id,
        status=info.status,
        valid_from=info.valid_from.isoformat(),
        valid_until=info.valid_until.isoformat(),
        retired_at=info.retired_at.isoformat() if info.retired_at else None,
        public_key_pem=info.public_key_pem,
    )


@router.get(
    "/seals/{department_code}",
    response=SealOut,
    summary="部门电子印章：全部密钥（在用、已轮换、已吊销）及公钥",
)
def seal_detail(request: HttpRequest, department_code: str) -> SealOut:
    rows = selectors.seals_of_department(department_code)
    first = rows[0]
    return SealOut(
        department_code=first.department_code,
        department_name=first.department_name,
        department_uscc=first.department_uscc,
        signer_id=crypto.SIGNER_ID.decode("ascii"),
        keys=[_key(s) for s in rows],
    )


@router.get(
    "/seals/{department_code}/public-key",
    summary="部门公钥（PEM，SubjectPublicKeyInfo）；默认 SM2，可用 algorithm 或 key_id 选择",
    response={200: str},
)
def public_key(
    request: HttpRequest, department_code: str, algorithm: str = crypto.SM2_SM3, key_id: str = ""
) -> HttpResponse:
    seal = selectors.public_seal(department_code, algorithm, key_id)
    resp = HttpResponse(
        crypto.pem_of(bytes(seal.public_key_der)), content_type="application/x-pem-file"
    )
    resp["X-Seal-Key-Id"] = seal.key_id
    resp["X-Seal-Algorithm"] = seal.algorithm
    resp["X-Seal-Status"] = seal.status
    resp["Cache-Control"] = "public, max-age=300"
    return resp


@router.get(
    "/seals/{department_code}/certificate",
    summary="部门 PDF 签章证书（PEM，自签名 P-256），用于 PDF 阅读器/验证器信任",
    response={200: str},
)
def certificate(request: HttpRequest, department_code: str, key_id: str = "") -> HttpResponse:
    seal = selectors.public_seal(department_code, crypto.ECDSA_P256, key_id)
    info = selectors.info(seal)
    resp = HttpResponse(info.certificate_pem, content_type="application/x-pem-file")
    resp["X-Seal-Key-Id"] = seal.key_id
    return resp


@router.get(
    "/seals/{department_code}/image.svg",
    summary="电子印章图像（SVG）",
    response={200: str},
)
def image(request: HttpRequest, department_code: str) -> HttpResponse:
    seal = selectors.public_seal(department_code, crypto.SM2_SM3)
    resp = HttpResponse(seal.image_svg, content_type="image/svg+xml; charset=utf-8")
    resp["Cache-Control"] = "public, max-age=3600"
    return resp


class RotateIn(Schema):
    algorithm: str = crypto.SM2_SM3


@router.post(
    "/seals/{department_code}/rotate",
    response={201: SealKeyOut},
    auth=BearerAuth(),
    summary="轮换部门印章密钥（平台管理员或该部门负责人）；旧密钥保留用于验证",
)
def rotate(request: HttpRequest, department_code: str, body: RotateIn) -> Status:
    principal = principal_for_request(request)
    if not principal.is_platform_admin:
        require_role(principal, "department_head", department=department_code)
    seal = services.seal_rotate(
        department_code=department_code, algorithm=body.algorithm, actor=principal.actor
    )
    return Status(201, _key(seal))
