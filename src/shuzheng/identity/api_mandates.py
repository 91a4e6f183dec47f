"""帮办代办 over the API (issue 17): a person's 代办授权 given and held, asking a relative's
consent (the code texted to them, typed back by the agent, or the principal's own answer),
revoking, and a window clerk recording a 帮办员's signed paper mandate.

Thin adapters over ``identity.mandates``: the services check, write and audit; here only the
answers are shaped. ID numbers are masked as on the pages; a mandate the caller neither gave nor
holds is 404; an action its state does not allow is 409 with the actions it does allow."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema, Status

from shuzheng.core.errors import Conflict, Forbidden, RateLimited, ValidationFailed
from shuzheng.identity import mandates
from shuzheng.identity.api import _too_many
from shuzheng.identity.contracts import MandateInfo, Principal
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["identity 统一身份认证"])

PERSONS_ONLY = "代办授权仅限实名用户办理；工作人员请登记书面委托。"


class MandateOut(Schema):
    id: int
    # principal: the caller gave it (委托人) | agent: the caller holds it (代办人) | clerk: recorded
    role: str
    principal_name: str
    principal_id_number: str  # masked
    agent_name: str
    agent_id_number: str  # masked
    basis: str  # relative | helper
    basis_name: str
    relation_name: str
    scope: str  # all | listed
    item_codes: list[str]
    valid_from: str
    valid_until: str
    status: str  # pending | active | declined | revoked | expired
    status_name: str
    confirmed_via: str
    paper_ref: str
    allowed_actions: list[str]  # what the caller may do with it now (code, confirm, answer, revoke)


class MandatesOut(Schema):
    given: list[MandateOut]  # the caller is the 委托人
    held: list[MandateOut]  # the caller is the 代办人


class MandateRequestIn(Schema):
    principal_name: str = ""
    principal_id_number: str = ""
    relation: str = ""
    scope: str = "all"
    item_codes: list[str] = []
    valid_until: dt.date | None = None


class MandateCodeIn(Schema):
    code: str = ""


class MandateAnswerIn(Schema):
    accept: bool


class PaperMandateIn(Schema):
    principal_id_number: str = ""
    agent_id_number: str = ""
    scope: str = "all"
    item_codes: list[str] = []
    valid_until: dt.date | None = None
    paper_ref: str = ""
    paper_seen: bool = False


def _allowed(m: MandateInfo, role: str) -> list[str]:
    if role not in ("principal", "agent"):
        return []
    if m.status == "pending":
        return ["code", "confirm", "revoke"] if role == "agent" else ["answer", "revoke"]
    return ["revoke"] if m.status == "active" else []


def _out(m: MandateInfo, role: str) -> MandateOut:
    return MandateOut(
        id=m.id,
        role=role,
        principal_name=m.principal_name,
        principal_id_number=mandates._mask_id(m.principal_id_number),
        agent_name=m.agent_name,
        agent_id_number=mandates._mask_id(m.agent_id_number),
        basis=m.basis,
        basis_name=m.basis_name,
        relation_name=m.relation_name,
        scope=m.scope,
        item_codes=list(m.item_codes),
        valid_from=m.valid_from,
        valid_until=m.valid_until,
        status=m.status,
        status_name=m.status_name,
        confirmed_via=m.confirmed_via,
        paper_ref=m.paper_ref,
        allowed_actions=_allowed(m, role),
    )


def _person(request: HttpRequest) -> Principal:
    principal = principal_for_request(request)
    if principal.kind not in ("person", "agent") or not principal.person_id:
        raise Forbidden(PERSONS_ONLY)
    return principal


def _role(principal: Principal, m: MandateInfo) -> str:
    return "agent" if m.agent_id_number == principal.id_number else "principal"


def _mine(principal: Principal, mandate_id: int) -> MandateOut:
    m = mandates.mandate_for(principal, mandate_id)  # NotFound unless given or held
    return _out(m, _role(principal, m))


def _state_conflict(principal: Principal, mandate_id: int, exc: ValidationFailed) -> Conflict:
    """The services name a wrong state as the field ``mandate``: a 409 with what is allowed."""
    current = _mine(principal, mandate_id)
    return Conflict(
        f"{exc.message}当前状态：{current.status_name}。",
        extra={"status": current.status, "allowed_actions": current.allowed_actions},
    )


def _is_state(exc: ValidationFailed) -> bool:
    return any(e.field == "mandate" for e in exc.errors)


@router.get(
    "/me/mandates",
    response=MandatesOut,
    auth=BearerAuth(),
    summary="我的代办授权：我授权的代办人和我可以代办的人（身份号码脱敏）",
)
def my_mandates(request: HttpRequest) -> MandatesOut:
    given, held = mandates.mandates_of(_person(request))
    return MandatesOut(
        given=[_out(m, "principal") for m in given], held=[_out(m, "agent") for m in held]
    )


@router.post(
    "/me/mandates",
    response={201: MandateOut},
    auth=BearerAuth(),
    summary="申请为家人代办（待委托人以短信验证码或本人账号确认）",
)
def request_mandate(request: HttpRequest, body: MandateRequestIn) -> Status | HttpResponse:
    """When the principal has a registered phone a 6-digit code is texted to them; the agent
    types it in with ``…/confirm``. Asking too often answers 429 with ``Retry-After``."""
    principal = _person(request)
    try:
        m = mandates.mandate_request(
            principal=principal,
            principal_name=body.principal_name,
            principal_id_number=body.principal_id_number,
            relation=body.relation,
            scope=body.scope,
            item_codes=body.item_codes,
            valid_until=body.valid_until,
        )
    except RateLimited as exc:
        return _too_many(exc)
    return Status(201, _out(mandates.info(m), "agent"))


@router.post(
    "/me/mandates/{mandate_id}/code",
    response=MandateOut,
    auth=BearerAuth(),
    summary="重发验证码给委托人（代办人操作）",
)
def send_code(request: HttpRequest, mandate_id: int) -> MandateOut | HttpResponse:
    """Within the cooldown: 429 with ``Retry-After``; the code sent before stays valid."""
    principal = _person(request)
    try:
        mandates.mandate_send_code(principal=principal, mandate_id=mandate_id)
    except RateLimited as exc:
        return _too_many(exc)
    except ValidationFailed as exc:
        if _is_state(exc):
            raise _state_conflict(principal, mandate_id, exc) from None
        raise
    return _mine(principal, mandate_id)


@router.post(
    "/me/mandates/{mandate_id}/confirm",
    response=MandateOut,
    auth=BearerAuth(),
    summary="输入委托人收到的验证码，授权生效（代办人操作）",
)
def confirm_code(request: HttpRequest, mandate_id: int, body: MandateCodeIn) -> MandateOut:
    principal = _person(request)
    try:
        m = mandates.mandate_confirm_code(
            principal=principal, mandate_id=mandate_id, code=body.code
        )
    except ValidationFailed as exc:
        if _is_state(exc):
            raise _state_conflict(principal, mandate_id, exc) from None
        raise
    return _out(mandates.info(m), "agent")


@router.post(
    "/me/mandates/{mandate_id}/answer",
    response=MandateOut,
    auth=BearerAuth(),
    summary="同意或不同意代办授权申请（委托人操作）",
)
def answer(request: HttpRequest, mandate_id: int, body: MandateAnswerIn) -> MandateOut:
    principal = _person(request)
    try:
        m = mandates.mandate_answer(principal=principal, mandate_id=mandate_id, accept=body.accept)
    except ValidationFailed as exc:
        if _is_state(exc):
            raise _state_conflict(principal, mandate_id, exc) from None
        raise
    return _out(mandates.info(m), "principal")


@router.post(
    "/me/mandates/{mandate_id}/revoke",
    response=MandateOut,
    auth=BearerAuth(),
    summary="撤销代办授权（委托人撤销，或代办人放弃）",
)
def revoke(request: HttpRequest, mandate_id: int) -> MandateOut:
    principal = _person(request)
    try:
        m = mandates.mandate_revoke(principal=principal, mandate_id=mandate_id)
    except ValidationFailed as exc:
        if _is_state(exc):
            raise _state_conflict(principal, mandate_id, exc) from None
        raise
    info = mandates.info(m)
    return _out(info, _role(principal, info))


@router.post(
    "/mandates/paper",
    response={201: MandateOut},
    auth=BearerAuth(),
    summary="登记帮办员的书面委托（窗口工作人员，须已核验委托书和双方身份证件）",
)
def record_paper(request: HttpRequest, body: PaperMandateIn) -> Status:
    m = mandates.mandate_record_paper(
        principal=principal_for_request(request),
        principal_id_number=body.principal_id_number,
        agent_id_number=body.agent_id_number,
        scope=body.scope,
        item_codes=body.item_codes,
        valid_until=body.valid_until,
        paper_ref=body.paper_ref,
        paper_seen=body.paper_seen,
    )
    return Status(201, _out(mandates.info(m), "clerk"))
