"""Identity endpoints: tokens, the caller, registration, directory lookups."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router, Schema, Status

from shuzheng.core.errors import RateLimited, ValidationFailed
from shuzheng.identity import selectors, services, throttle
from shuzheng.identity.facade import BearerAuth, principal_for_request, require_staff

router = Router(tags=["identity 统一身份认证"])


class TokenIn(Schema):
    username: str | None = None
    password: str | None = None
    client_id: str | None = None
    client_secret: str | None = None


class TokenOut(Schema):
    access_token: str
    token_type: str
    expires_in: int


def _too_many(exc: RateLimited) -> HttpResponse:
    """A 429 in the platform's error format, with ``Retry-After`` (also ``retry_after`` in the
    body)."""
    response = JsonResponse(exc.as_dict(), status=429, json_dumps_params={"ensure_ascii": False})
    response["Retry-After"] = str(exc.extra.get("retry_after", 60))
    return response


@router.post(
    "/auth/token", response=TokenOut, auth=None, summary="获取访问令牌（口令或客户端凭据）"
)
def token(request: HttpRequest, body: TokenIn) -> TokenOut | HttpResponse:
    """Throttled per client IP and per username or client id: too many failures answer 429 with
    ``Retry-After``; a wrong password, an unknown user and an inactive one answer alike."""
    ip = throttle.client_ip(request)
    try:
        if body.client_id:
            issued = services.token_issue_for_client(
                client_id=body.client_id, client_secret=body.client_secret or "", ip=ip
            )
        elif body.username:
            issued = services.token_issue_for_password(
                username=body.username, password=body.password or "", ip=ip
            )
        else:
            raise ValidationFailed.one(
                "username", "请提供 username/password 或 client_id/client_secret。"
            )
    except RateLimited as exc:
        return _too_many(exc)
    return TokenOut(
        access_token=issued.access_token, token_type=issued.token_type, expires_in=issued.expires_in
    )


class TokenRevokeIn(Schema):
    token: str | None = None
    all: bool = False


def _presented_token(request: HttpRequest) -> str:
    """The bearer token of this call (``BearerAuth`` accepted it)."""
    scheme, _, raw = request.headers.get("Authorization", "").partition(" ")
    return raw.strip() if scheme.lower() == "bearer" else ""


@router.post(
    "/auth/revoke",
    response={204: None},
    auth=BearerAuth(),
    summary="吊销访问令牌（本令牌、指定令牌或我的全部令牌）",
)
def revoke(request: HttpRequest, body: TokenRevokeIn | None = None) -> Status:
    """Without a body: revoke the token of this call. ``{"token": "sz_…"}``: revoke that token
    if it is the caller's (another's is left alone, with the same answer), keeping this one.
    ``{"all": true}``: revoke every live token of the caller, this one included. Always 204
    (idempotent); afterwards a revoked token gets 401."""
    p = principal_for_request(request)
    client_id = p.client_id if p.kind == "client" else None
    user_id = None if client_id else p.user_id
    if user_id is None and client_id is None:  # a token always has an owner; never skip the check
        return Status(204, None)
    if body is not None and body.all:
        services.tokens_revoke_all(actor=p.actor, user_id=user_id, client_id=client_id)
    else:
        raw = body.token if body is not None and body.token else _presented_token(request)
        services.token_revoke(raw=raw, actor=p.actor, user_id=user_id, client_id=client_id)
    return Status(204, None)


class MeOut(Schema):
    username: str
    kind: str
    name: str
    roles: list[str]
    departments: list[str]
    id_number: str | None = None
    hukou_region: str | None = None
    real_name_level: int | None = None
    enterprises: list[str] = []
    client_kind: str | None = None
    scopes: list[str] = []


@router.get("/me", response=MeOut, auth=BearerAuth(), summary="当前调用者")
def me(request: HttpRequest) -> MeOut:
    p = principal_for_request(request)
    is_person = p.kind in ("person", "agent")
    return MeOut(
        username=p.username,
        kind=p.kind,
        name=p.name,
        roles=p.roles,
        departments=p.departments,
        id_number=p.id_number if is_person else None,
        hukou_region=(p.hukou_region or None) if is_person else None,
        real_name_level=p.real_name_level if is_person else None,
        enterprises=list(p.enterprises),
        client_kind=p.client_kind or None,
        scopes=list(p.scopes),
    )


class RegisterIn(Schema):
    name: str
    id_number: str
    phone: str
    password: str
    username: str | None = None


class RegisterOut(Schema):
    username: str
    kind: str
    name: str
    message: str


REGISTER_ANSWER = (
    "注册申请已受理，请用用户名和密码登录。"
    "如该公民身份号码此前已注册，本次注册不生效，请用原账号登录。"
)


@router.post("/accounts/register", response={201: RegisterOut}, auth=None, summary="个人实名注册")
def register(request: HttpRequest, body: RegisterIn) -> Status | HttpResponse:
    """The same 201 whether the ID number was new (the account is made) or already registered
    (nothing is made; the holder is told by SMS), so the answer does not tell who is
    registered. Limited per client IP (429 with ``Retry-After``)."""
    try:
        done = services.account_register(
            name=body.name,
            id_number=body.id_number,
            phone=body.phone,
            password=body.password,
            username=body.username,
            ip=throttle.client_ip(request),
        )
    except RateLimited as exc:
        return _too_many(exc)
    return Status(
        201,
        RegisterOut(
            username=done.username, kind=done.kind, name=done.name, message=REGISTER_ANSWER
        ),
    )


class PersonOut(Schema):
    id_number: str
    name: str
    sex: str
    birth_date: str
    phone: str
    hukou_region: str
    hukou_address: str
    real_name_level: int


@router.get(
    "/identity/persons/{id_number}",
    response=PersonOut,
    auth=BearerAuth(),
    summary="查询自然人（工作人员，脱敏）",
)
def person(request: HttpRequest, id_number: str) -> PersonOut:
    info = selectors.person_lookup(principal=principal_for_request(request), id_number=id_number)
    return PersonOut(**{k: getattr(info, k) for k in PersonOut.model_fields})


class DepartmentOut(Schema):
    code: str
    name: str
    level: int
    region_code: str
    uscc: str
    parent_code: str | None


@router.get(
    "/identity/departments", response=list[DepartmentOut], auth=None, summary="部门目录（公开）"
)
def departments(request: HttpRequest, q: str = "", region: str = "") -> list[DepartmentOut]:
    return [DepartmentOut(**d.__dict__) for d in selectors.departments(q=q, region=region)]


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None


@router.get("/identity/regions", response=list[RegionOut], auth=None, summary="行政区划（公开）")
def regions(request: HttpRequest, parent: str | None = None) -> list[RegionOut]:
    return [RegionOut(**r.__dict__) for r in selectors.regions(parent=parent)]


class StaffRoleOut(Schema):
    role: str
    department: str


@router.get(
    "/identity/staff/roles",
    response=list[StaffRoleOut],
    auth=BearerAuth(),
    summary="我的工作人员角色（仅工作人员）",
)
def staff_roles(request: HttpRequest) -> list[StaffRoleOut]:
    p = principal_for_request(request)
    require_staff(p)
    return [StaffRoleOut(role=r, department=d) for r, d in p.staff_roles]
