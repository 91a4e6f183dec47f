"""JSON API (mounted in shuzheng/api/router.py), a public contract — extend, never rename:

``GET /reports/tasks`` (mine to fill or review) · ``GET /reports/tasks/{id}`` (each field's
value and ``source``) · ``POST /reports/tasks/{id}/submit`` · ``POST /reports/tasks/{id}/actions``
(409 with ``allowed_actions`` in a wrong state) · ``GET /reports/metrics`` (the typing meter) ·
``GET /reports/register`` (统一报表清单, public) · ``POST /reports/definitions`` (准入 check).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from shuzheng.core.errors import Forbidden
from shuzheng.identity.facade import BearerAuth, OptionalBearerAuth, principal_for_request
from shuzheng.reporting import selectors, services
from shuzheng.reporting import transitions as tr

router = Router(tags=["reporting 填表报数"], auth=BearerAuth())


def _task_out(principal: Any, task: Any) -> dict[str, Any]:
    return {
        "id": task.pk,
        "report": task.definition.code,
        "report_name": task.definition.name,
        "unit": task.unit.code,
        "unit_name": task.unit.name,
        "level": task.unit.level,
        "period": task.period,
        "state": task.state,
        "state_label": tr.state_label(task.state),
        "deadline": task.deadline.isoformat(),
        "return_reason": task.return_reason,
        "typed": task.typed,
        "total": task.total,
        "allowed_actions": selectors.allowed_actions(principal, task),
    }


@router.get("/reports/tasks", summary="我的报表任务（待我填报或审核的，及我制发报表的任务）")
def tasks(request: HttpRequest, state: str = "", period: str = "") -> list[dict[str, Any]]:
    principal = principal_for_request(request)
    qs = selectors.tasks(principal)
    if state:
        qs = qs.filter(state=state)
    if period:
        qs = qs.filter(period=period)
    return [_task_out(principal, t) for t in qs.order_by("deadline", "id")[:500]]


@router.get(
    "/reports/tasks/{task_id}",
    summary="报表任务详情：每个字段的数值与来源（prefill:<资源>、previous、reused:<报表>、computed、rollup、typed）",
)
def task_detail(request: HttpRequest, task_id: int) -> dict[str, Any]:
    principal = principal_for_request(request)
    task = selectors.task(principal, task_id)
    view = selectors.task_view(principal, task)
    return {
        **_task_out(principal, task),
        "fields": [
            {
                "name": f.name,
                "title": f.title,
                "unit": f.measure,
                "value": f.value,
                "source": f.source or None,
                "source_label": f.words,
                "computed": f.computed,
            }
            for f in view.fields
        ],
        "tables": [
            {
                "name": t["name"],
                "title": t["title"],
                "columns": [c["name"] for c in t["columns"]],
                "rows": t["rows"],
            }
            for t in view.tables
        ],
    }


class ReportSubmitIn(Schema):
    values: dict[str, Any]
    draft: bool = False


@router.post(
    "/reports/tasks/{task_id}/submit",
    summary="提交（或 draft=true 保存草稿）；预填值不变即确认，改动即更正并反馈来源部门",
)
def submit(request: HttpRequest, task_id: int, body: ReportSubmitIn) -> dict[str, Any]:
    principal = principal_for_request(request)
    task = services.task_save(
        principal=principal, task_id=task_id, raw=body.values, submit=not body.draft
    )
    return _task_out(principal, task)


class ReportActionIn(Schema):
    action: str
    reason: str = ""


@router.post(
    "/reports/tasks/{task_id}/actions",
    summary="审核操作：return（退回，须写理由）、approve（通过）、summarise（汇总）、report（上报）",
    description="当前状态下不允许的操作返回 409 及 allowed_actions。",
)
def act(request: HttpRequest, task_id: int, body: ReportActionIn) -> dict[str, Any]:
    principal = principal_for_request(request)
    task = services.task_act(
        principal=principal, task_id=task_id, action=body.action, reason=body.reason
    )
    return _task_out(principal, task)


@router.get("/reports/metrics", summary="减负计量：手工录入数 / 数据项总数 / 压减比例，分报表")
def metrics(request: HttpRequest) -> dict[str, Any]:
    principal = principal_for_request(request)
    if principal.kind != "staff":
        raise Forbidden()
    return selectors.metrics(principal)


@router.get(
    "/reports/register", auth=OptionalBearerAuth(), summary="统一报表清单（已准入报表，公开）"
)
def register(request: HttpRequest) -> list[dict[str, Any]]:
    return selectors.register()


class ReportDefinitionIn(Schema):
    code: str
    name: str
    owner_department: str
    frequency: str
    levels: list[str] = ["village", "town", "county"]
    spec: dict[str, Any]
    deadline_day: int = 10


@router.post(
    "/reports/definitions",
    summary="登记新报表：与在用报表比对，大部分重复的标记待审核，准入前不能下发",
)
def definition_create(request: HttpRequest, body: ReportDefinitionIn) -> dict[str, Any]:
    principal = principal_for_request(request)
    if body.owner_department not in selectors.issuer_departments(principal):
        raise Forbidden(message="只能为本部门设计报表。")
    d = services.definition_create(
        principal=principal,
        code=body.code,
        name=body.name,
        owner_department=body.owner_department,
        frequency=body.frequency,
        levels=body.levels,
        spec=body.spec,
        deadline_day=body.deadline_day,
    )
    return {"code": d.code, "status": d.status, "overlaps": d.overlaps}
