"""Identity endpoints: tokens, the caller, registration, directory lookups."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shuzheng.core.errors import ValidationFailed
from shuzheng.identity import selectors, services
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


@router.post(
    "/auth/token", response=TokenOut, auth=None, summary="获取访问令牌（口令或客户端凭据）"
)
def token(request: HttpRequest, body: TokenIn) -> TokenOut:
    if body.client_id:
        issued = services.token_issue_for_client(
            client_id=body.client_id, client_secret=body.client_secret or ""
        )
    elif body.username:
        issued = services.token_issue_for_password(
            username=body.username, password=body.password or ""
        )
    else:
        raise ValidationFailed.one(
            "username", "请提供 username/password 或 client_id/client_secret。"
        )
    return TokenOut(
        access_token=issued.access_token, token_type=issued.token_type, expires_in=issued.expires_in
    )


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


@router.post("/accounts/register", response={201: RegisterOut}, auth=None, summary="个人实名注册")
def register(request: HttpRequest, body: RegisterIn) -> Status:
    user = services.account_register(
        name=body.name,
        id_number=body.id_number,
        phone=body.phone,
        password=body.password,
        username=body.username,
    )
    return Status(201, RegisterOut(username=user.username, kind=user.kind, name=user.display_name))


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
