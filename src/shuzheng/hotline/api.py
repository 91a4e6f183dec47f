"""12345 hotline API (issue 18, "API": a public contract — extend, never rename).

``POST /hotline/suggest`` · ``POST/GET /hotline/tickets`` · ``GET /hotline/tickets/{ticket_no}``
(with ``allowed_actions``) · ``POST /hotline/tickets/{ticket_no}/actions`` (409 with
``allowed_actions`` in a wrong state) · ``GET /hotline/tickets/{ticket_no}/supervision/{n}.pdf``
· ``GET /hotline/progress`` (no login) · ``GET /hotline/signals`` · ``GET /hotline/metrics`` ·
``GET /hotline/categories``. Handlers parse, call one service or selector, answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from shuzheng.core import idempotency
from shuzheng.core.errors import (
    DomainError,
    Forbidden,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)
from shuzheng.hotline import facade, progress, selectors, services
from shuzheng.hotline.models import Channel
from shuzheng.hotline.services import actions, notices
from shuzheng.identity.contracts import HOTLINE_HANDLER_ROLES
from shuzheng.identity.facade import BearerAuth, OptionalBearerAuth, principal_for_request

router = Router(tags=["hotline 12345"], auth=BearerAuth())

IdempotencyKey = Header(
    None,
    alias=idempotency.HEADER,
    description="幂等键（可选）：网络中断后重试时带上同一键值，只登记一次并返回首次结果。",
)


class HotlineSuggestIn(Schema):
    text: str = Field(..., max_length=2000)
    address: str = Field("", max_length=200)
    linked_case_no: str = Field(
        "", max_length=32, description="所涉办件编号：其受理部门作为主办建议排在首位"
    )


@router.post(
    "/hotline/suggest",
    response=dict[str, Any],
    summary="派单建议：主办/协办单位（前 3 名及得分、依据词）、诉求类型、诉求分类",
    description="12345 中心（话务员、班长）和 API 客户端可用。",
)
def suggest(request: HttpRequest, body: HotlineSuggestIn) -> dict[str, Any]:
    principal = principal_for_request(request)
    if not (actions.is_center(principal) or principal.kind == "client"):
        raise Forbidden("仅 12345 热线中心和接入系统可以使用派单建议。")
    if not body.text.strip():
        raise ValidationFailed.one("text", "请填写诉求内容。")
    case = selectors.linked_case(principal, body.linked_case_no.strip().upper())
    if body.linked_case_no.strip() and case is None:
        raise ValidationFailed.one("linked_case_no", "未找到该办件，请核对所涉办件编号。")
    return facade.suggest(
        text=body.text, address=body.address, case_department=case["department"] if case else ""
    )


class HotlineTicketIn(Schema):
    content: str = Field(..., max_length=5000, description="诉求内容（不超过 2000 字）")
    type: str = Field("", description="诉求类型：咨询/求助/投诉/举报/建议/表扬（或 consult…）")
    title: str = ""
    category: str = Field("", description="诉求分类编码（GET /hotline/categories）")
    address: str = Field("", max_length=500)
    region_code: str = Field("", max_length=9, description="区县或镇街代码（不填则由地址识别）")
    lat: float | None = None
    lng: float | None = None
    attachments: list[str] = Field([], description="files 上传后的文件编号（图片或 PDF）")
    urgency: str = Field("normal", description="normal 一般 | urgent 紧急 | critical 特急")
    confidential: bool = False
    caller_phone: str = Field("", max_length=32)
    caller_name: str = Field("", max_length=64)
    reporter_id_number: str = Field("", max_length=18)
    linked_case_no: str = Field("", max_length=32, description="投诉所涉办件编号")
    respondent: str = Field("", max_length=128, description="被投诉单位/人")
    channel: str = Field("", description="phone | web | mobile | api（默认按调用者确定）")


def _channel(principal: Any, asked: str) -> str:
    if principal.kind == "client":
        return Channel.API
    if principal.kind in ("person", "agent"):
        return asked if asked in (Channel.WEB, Channel.MOBILE) else Channel.WEB
    if asked and asked not in (Channel.PHONE, Channel.WEB, Channel.MOBILE, Channel.API):
        raise ValidationFailed.one("channel", "诉求来源应为 phone、web、mobile 或 api。")
    return asked or Channel.PHONE


@router.post(
    "/hotline/tickets",
    response={201: dict[str, Any]},
    summary="登记工单（诉求受理）",
    description=(
        "12345 中心（电话等渠道）、已登录的群众（本人诉求）和 API 客户端可用。"
        "返回工单详情及可合并的相似工单 merge_candidates。"
    ),
)
def create(
    request: HttpRequest,
    response: HttpResponse,
    body: HotlineTicketIn,
    idempotency_key: str | None = IdempotencyKey,
) -> Status:
    principal = principal_for_request(request)
    data = services.TicketInput(
        content=body.content,
        type=body.type,
        title=body.title,
        category=body.category,
        address=body.address,
        region_code=body.region_code,
        lat=body.lat,
        lng=body.lng,
        attachments=tuple(body.attachments),
        urgency=body.urgency,
        confidential=body.confidential,
        caller_phone=body.caller_phone,
        caller_name=body.caller_name,
        reporter_id_number=body.reporter_id_number,
        linked_case_no=body.linked_case_no,
        respondent=body.respondent,
    )
    channel = _channel(principal, body.channel)

    def run() -> tuple[int, Any]:
        ticket = services.ticket_create(principal=principal, data=data, channel=channel)
        out = selectors.detail(principal, ticket, new=True)
        out["merge_candidates"] = selectors.merge_candidates(principal, ticket)
        return 201, out

    # a retry after a lost connection with the same Idempotency-Key files once (core.idempotency)
    status, out, replayed = idempotency.once(request, principal.actor, run)
    if replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(status, out)


@router.get(
    "/hotline/tickets",
    response=dict[str, Any],
    summary="工单列表（按调用者权限：中心全部、部门本单位承办、群众本人）",
)
def ticket_list(
    request: HttpRequest,
    status: str = "",
    department: str = "",
    region: str = "",
    q: str = Query("", max_length=100),
    phone: str = Query("", max_length=20, description="来电号码（仅中心）：该号码的历史工单"),
    limit: int = Query(50, ge=1, le=200),
    offset: int = Query(0, ge=0),
) -> dict[str, Any]:
    principal = principal_for_request(request)
    total, items = selectors.ticket_list(
        principal,
        status=status,
        department=department,
        region=region,
        q=q,
        phone=phone,
        limit=limit,
        offset=offset,
    )
    return {"total": total, "items": items}


@router.get(
    "/hotline/tickets/{ticket_no}",
    response=dict[str, Any],
    summary="工单详情（含 allowed_actions 当前可执行的操作、流转记录、回访记录）",
)
def ticket_detail(request: HttpRequest, ticket_no: str) -> dict[str, Any]:
    principal = principal_for_request(request)
    return selectors.detail(principal, selectors.ticket_for(principal, ticket_no))


class HotlineActionIn(Schema):
    action: str = Field(
        ...,
        max_length=40,
        description=(
            "answer_direct | merge | dispatch | sign | return | decide | transfer | extend | "
            "approve_extension | reject_extension | answer | callback | reopen | close | urge | "
            "supervise"
        ),
    )
    department: str = ""
    assisting: list[str] = []
    reason: str = ""
    note: str = ""
    answer: str = ""
    knowledge_ref: str = ""
    master_no: str = ""
    satisfaction: str = Field(
        "", description="satisfied 满意 | basic 基本满意 | unsatisfied 不满意 | unreachable 未接通"
    )
    amount: int | None = Field(None, description="延期时长（工单时限的单位：小时或工作日）")


@router.post(
    "/hotline/tickets/{ticket_no}/actions",
    response=dict[str, Any],
    summary="对工单执行操作（派单、签收、退单、转办、延期、答复、回访、重办、办结、催办、督办…）",
    description="当前状态下不允许的操作返回 409 及 allowed_actions；输入有误返回 422 并指明字段。",
)
def act(request: HttpRequest, ticket_no: str, body: HotlineActionIn) -> dict[str, Any]:
    principal = principal_for_request(request)
    params = body.model_dump(exclude={"action"})
    ticket = services.ticket_act(
        principal=principal,
        ticket_no=ticket_no,
        action=body.action,
        params=params,
        visible=selectors.may_see,
    )
    return selectors.detail(principal, ticket)


@router.get(
    "/hotline/tickets/{ticket_no}/supervision/{n}.pdf",
    response={200: bytes},
    summary="督办通知（PDF，加盖 12345 热线中心电子印章）",
)
def supervision_pdf(request: HttpRequest, ticket_no: str, n: int) -> HttpResponse:
    principal = principal_for_request(request)
    if principal.kind != "staff":
        raise selectors.NotFound("未找到该督办通知。")
    ticket = selectors.ticket_for(principal, ticket_no)
    pdf, notice = notices.supervision_pdf(principal=principal, ticket=ticket, n=n)
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"督办通知-{notice.doc_no}.pdf"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@router.get(
    "/hotline/progress",
    response=dict[str, Any],
    auth=None,
    summary="诉求进度查询（免登录）：工单编号 + 反映诉求时留下的电话号码",
    description=(
        "返回工单状态和办理进度（文字），不含诉求内容和个人信息。工单不存在、电话不符一律返回"
        "相同的 404。每个客户端 IP 每小时可查询 `SHUZHENG_PROGRESS_MAX_PER_HOUR` 次，超过返回 429。"
    ),
)
def progress_query(
    request: HttpRequest,
    response: HttpResponse,
    ticket_no: str = Query(..., max_length=64),
    phone: str = Query(..., max_length=32),
) -> Any:
    try:
        found = progress.progress_read(request=request, ticket_no=ticket_no, phone=phone, via="api")
    except RateLimited as exc:
        out = JsonResponse(exc.as_dict(), status=429, json_dumps_params={"ensure_ascii": False})
        out["Retry-After"] = str(exc.extra.get("retry_after", 60))
        return out
    response["Cache-Control"] = "no-store"
    return found


def _center_or_handler(principal: Any) -> None:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not (actions.is_center(principal) or principal.departments_for(HOTLINE_HANDLER_ROLES)):
        raise Forbidden("仅 12345 热线中心和承办单位的工单处置人员可以查看。")


@router.get(
    "/hotline/signals",
    response=list[dict[str, Any]],
    summary="弱信号：近几日量明显高于自身基线的话题（附样例工单）",
)
def signals(request: HttpRequest) -> list[dict[str, Any]]:
    principal = principal_for_request(request)
    if not actions.is_center(principal):
        _center_or_handler(principal)
        raise Forbidden("仅 12345 热线中心可以查看弱信号。")
    return facade.signals(principal)


@router.get(
    "/hotline/metrics",
    response=dict[str, Any],
    summary="三率（响应率、解决率、满意率）、按时办结率、一次性解答率、退单率、重复来电率",
    description="按承办单位（group=department）或区县（group=region）；默认近 30 日。",
)
def metrics(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
    group: str = Query("department", pattern="^(department|region)$"),
) -> dict[str, Any]:
    principal = principal_for_request(request)
    _center_or_handler(principal)
    end = end or timezone.localdate()
    start = start or end - dt.timedelta(days=29)
    if start > end:
        raise ValidationFailed.one("start", "开始日期不能晚于结束日期。")
    return selectors.metrics(principal, start=start, end=end, group=group)


@router.get(
    "/hotline/categories",
    response=list[dict[str, Any]],
    auth=OptionalBearerAuth(),
    summary="诉求分类树（编码、名称、常见承办部门）",
)
def categories(
    request: HttpRequest,
    include_inactive: bool = Query(False, description="含已停用的分类（仅 12345 中心班长）"),
) -> list[dict[str, Any]]:
    if include_inactive and not facade.may_edit_categories(principal_for_request(request)):
        raise Forbidden("仅 12345 热线中心班长可以查看已停用的分类。")
    return [c.__dict__ for c in facade.categories(include_inactive=include_inactive)]


class HotlineCategoryIn(Schema):
    name: str = Field(..., max_length=200, description="分类名称（不超过 64 字）")
    parent: str = Field("", max_length=6, description="上级分类编码；不填为一级分类")
    department: str | None = Field(None, max_length=32, description="承办部门编码（一个）")
    departments: list[str] | None = Field(None, description="常见承办部门编码（多个）")
    active: bool = True


class HotlineCategoryPatch(Schema):
    name: str | None = Field(None, max_length=200)
    parent: str | None = Field(None, max_length=6, description="移到同一级的另一上级分类下")
    department: str | None = Field(None, max_length=32)
    departments: list[str] | None = None
    active: bool | None = Field(None, description="false 停用（连同下级分类）")


@router.post(
    "/hotline/categories",
    response={201: dict[str, Any]},
    summary="新增诉求分类（12345 中心班长）",
    description="编码由平台按上级分类给出；输入有误返回 422 并指明字段。",
)
def category_create(request: HttpRequest, body: HotlineCategoryIn) -> Status:
    principal = principal_for_request(request)
    info = facade.category_create(principal=principal, **body.model_dump())
    return Status(201, info.__dict__)


@router.patch(
    "/hotline/categories/{code}",
    response=dict[str, Any],
    summary="修改诉求分类：名称、上级、承办部门、启用/停用（12345 中心班长）",
)
def category_update(request: HttpRequest, code: str, body: HotlineCategoryPatch) -> dict[str, Any]:
    principal = principal_for_request(request)
    fields = body.model_dump(exclude_unset=True)
    return facade.category_update(principal=principal, code=code, **fields).__dict__


@router.delete(
    "/hotline/categories/{code}",
    response={204: None},
    summary="删除未被使用的诉求分类（已有工单使用或有下级分类时返回 409，请停用）",
)
def category_delete(request: HttpRequest, code: str) -> Status:
    principal = principal_for_request(request)
    facade.category_delete(principal=principal, code=code)
    return Status(204, None)


__all__ = ["DomainError", "router"]
