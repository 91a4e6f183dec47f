"""好差评 API: rate a case, follow up 差评, statistics; supervisor metrics."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shuzheng.cases import facade as cases
from shuzheng.core.errors import Forbidden
from shuzheng.identity.facade import BearerAuth, principal_for_request, require_staff
from shuzheng.ratings import selectors, services
from shuzheng.ratings.models import Rectification

router = Router(tags=["ratings 好差评"])


class RatingIn(Schema):
    level: int
    comment: str = ""


class RectificationOut(Schema):
    id: int
    case_no: str
    item_name: str
    department: str
    level: int
    comment: str
    due_date: str
    status: str
    reply: str
    callback_note: str


def _rect(t: Rectification) -> RectificationOut:
    return RectificationOut(
        id=t.pk,
        case_no=t.rating.case_no,
        item_name=t.rating.item_name,
        department=t.department_code,
        level=t.rating.level,
        comment=t.rating.comment,
        due_date=t.due_date.isoformat(),
        status=t.status,
        reply=t.reply,
        callback_note=t.callback_note,
    )


class RatingOut(Schema):
    case_no: str
    level: int
    level_name: str
    comment: str
    rectification: RectificationOut | None


@router.post(
    "/cases/{case_no}/rating",
    response={201: RatingOut},
    auth=BearerAuth(),
    summary="好差评：申请人评价已办结的办件（1 非常满意 … 5 非常不满意）",
)
def rate(request: HttpRequest, case_no: str, body: RatingIn) -> Status:
    r = services.rating_create(
        principal=principal_for_request(request),
        case_no=case_no,
        level=body.level,
        comment=body.comment,
    )
    rect = getattr(r, "rectification", None) if r.is_bad else None
    return Status(
        201,
        RatingOut(
            case_no=r.case_no,
            level=r.level,
            level_name=str(r.get_level_display()),
            comment=r.comment,
            rectification=_rect(rect) if rect else None,
        ),
    )


@router.get(
    "/ratings/rectifications",
    response=list[RectificationOut],
    auth=BearerAuth(),
    summary="差评整改任务（本部门）",
)
def rectifications(request: HttpRequest, status: str = "") -> list[RectificationOut]:
    p = principal_for_request(request)
    require_staff(p)
    return [_rect(t) for t in selectors.rectifications(p, status=status or None)]


class ReplyIn(Schema):
    reply: str


@router.post(
    "/ratings/rectifications/{task_id}/reply",
    response=RectificationOut,
    auth=BearerAuth(),
    summary="答复整改情况（部门负责人/审批人员）",
)
def reply(request: HttpRequest, task_id: int, body: ReplyIn) -> RectificationOut:
    return _rect(
        services.rectification_reply(
            principal=principal_for_request(request), task_id=task_id, reply=body.reply
        )
    )


class CallbackIn(Schema):
    note: str
    satisfied: bool


@router.post(
    "/ratings/rectifications/{task_id}/callback",
    response=RectificationOut,
    auth=BearerAuth(),
    summary="回访评价人并办结",
)
def callback(request: HttpRequest, task_id: int, body: CallbackIn) -> RectificationOut:
    return _rect(
        services.rectification_callback(
            principal=principal_for_request(request),
            task_id=task_id,
            note=body.note,
            satisfied=body.satisfied,
        )
    )


@router.get(
    "/ratings/stats", response=list[dict[str, Any]], auth=None, summary="好差评统计（公开）"
)
def stats(request: HttpRequest, department: str = "") -> list[dict[str, Any]]:
    return selectors.stats(department=department or None)


@router.get(
    "/metrics",
    response=list[dict[str, Any]],
    auth=BearerAuth(),
    summary="部门与事项指标：网办率、即办率、按时办结率、超期件数、平均工作日、好评率（工作人员）",
)
def metrics(request: HttpRequest) -> list[dict[str, Any]]:
    p = principal_for_request(request)
    require_staff(p)
    scope = p.supervised_departments()  # the same rule as the workbench's metrics page
    if scope is not None and not scope:
        raise Forbidden("运行指标仅向部门负责人和平台管理员开放。")
    good = {r["department_code"]: r["good_rate"] for r in selectors.stats()}
    rows = [r for r in cases.metrics_rows() if scope is None or r["department_code"] in scope]
    return [{**r, "good_rate": good.get(str(r["department_code"]))} for r in rows]
