"""一网统管 API of the command dashboard and 预案 (issue 19, "API": a public contract — extend,
never rename): ``GET /city/dashboard`` (the center and leaders) · ``GET /city/plans`` ·
``GET /city/plan-runs`` · ``POST /city/plan-runs`` (start a plan for an alert or an event; 201) ·
``GET /city/plan-runs/{id}`` · ``POST /city/plan-runs/{id}/steps/{step_id}/check`` ·
``POST /city/plan-runs/{id}/actions`` (close). A separate router beside ``api.py`` (as
``hotline.api_dashboard``), registered in ``shuzheng.api.router``. Handlers parse, call one
service or selector, answer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from pydantic import Field

from shuzheng.core.errors import ValidationFailed
from shuzheng.governance.api import CityAlertOut
from shuzheng.governance.selectors import dashboard as dashboard_selectors
from shuzheng.governance.selectors import plans as plan_selectors
from shuzheng.governance.services import plans as plan_services
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["governance 一网统管"], auth=BearerAuth())


# --- 指挥调度 and 预案 (command dashboard and response plans) -----------------------------------


class CityTileOut(Schema):
    code: str
    name: str
    unit: str
    department_name: str
    level: str
    level_label: str
    value: float | None
    value_text: str
    district_name: str
    at: dt.datetime | None
    districts: int
    yellow: float | None
    red: float | None
    source: str


class CityFunctionOut(Schema):
    function: str
    label: str
    red: int
    yellow: int
    tiles: list[CityTileOut]


class CityDistrictOut(Schema):
    code: str
    name: str
    open_events: int


class CityRunDeptOut(Schema):
    department: str
    department_name: str


class CityRunStepOut(Schema):
    id: int
    order: int
    title: str
    department: str
    department_name: str
    done: bool
    done_at: dt.datetime | None
    note: str
    may_check: bool


class CityPlanRunOut(Schema):
    id: int
    plan: str
    plan_name: str
    kind_label: str
    level: int
    level_label: str
    alert: int | None
    alert_text: str
    event_no: str
    reason: str
    status: str
    status_label: str
    started_at: dt.datetime
    closed_at: dt.datetime | None
    close_note: str
    departments: list[CityRunDeptOut]
    steps: list[CityRunStepOut]
    done: int
    total: int
    percent: int
    allowed_actions: list[str]


class CityHotlineTodayOut(Schema):
    available: bool
    volume: int | None
    satisfaction_rate: float | None


class CityDashboardOut(Schema):
    generated_at: dt.datetime
    functions: list[CityFunctionOut]
    alerts_total: int
    alerts: list[CityAlertOut]
    latest_alert: int | None
    events_available: bool
    districts: list[CityDistrictOut]
    events_today: dict[str, Any]
    plans_total: int
    plans: list[CityPlanRunOut]
    hotline_today: CityHotlineTodayOut


class CityPlanDeptOut(Schema):
    department: str
    department_name: str
    duty: str


class CityPlanStepOut(Schema):
    order: int
    title: str
    department: str
    department_name: str


class CityPlanOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    level: int
    level_label: str
    indicator: str
    description: str
    departments: list[CityPlanDeptOut]
    steps: list[CityPlanStepOut]


class CityPlanRunListOut(Schema):
    total: int
    runs: list[CityPlanRunOut]


class CityPlanStartIn(Schema):
    plan: str = Field("", description="预案编码（可不填：预警按其指标关联的预案）")
    alert: int | None = Field(None, description="触发预警的编号（与 event_no 二选一）")
    event_no: str = Field("", description="重大事件编号（与 alert 二选一）")
    reason: str = Field("", description="启动原因（可选，不超过 500 字）")


class CityStepCheckIn(Schema):
    note: str = Field("", description="完成情况（可选，不超过 500 字）")


class CityRunActionIn(Schema):
    action: str = Field(..., description="close 终止响应")
    note: str = Field("", description="终止说明（可选，不超过 500 字）")


@router.get(
    "/city/dashboard",
    response=CityDashboardOut,
    summary="指挥调度：指标、预警、各区县在办事件、启动中的预案和今日 12345（中心和领导）",
)
def dashboard(request: HttpRequest) -> dict[str, Any]:
    return dashboard_selectors.dashboard(principal=principal_for_request(request))


@router.get("/city/plans", response=list[CityPlanOut], summary="应急预案（启用的）")
def plans(request: HttpRequest) -> list[dict[str, Any]]:
    return plan_selectors.plans_list(principal=principal_for_request(request))


@router.get(
    "/city/plan-runs",
    response=CityPlanRunListOut,
    summary="预案启动记录（status: active 响应中 / closed 已终止）",
)
def plan_runs(
    request: HttpRequest, status: str = "", limit: int = 50, offset: int = 0
) -> dict[str, Any]:
    total, runs = plan_selectors.runs_list(
        principal=principal_for_request(request), status=status, limit=limit, offset=max(0, offset)
    )
    return {"total": total, "runs": runs}


@router.post(
    "/city/plan-runs",
    response={201: CityPlanRunOut},
    summary="启动预案（中心）：通知所列部门（站内信和值班手机短信），生成处置清单",
)
def plan_run_start(request: HttpRequest, body: CityPlanStartIn) -> Status:
    principal = principal_for_request(request)
    run = plan_services.plan_start(
        principal=principal,
        plan=body.plan,
        alert=body.alert,
        event_no=body.event_no,
        reason=body.reason,
    )
    return Status(201, plan_selectors.run_get(principal=principal, run_id=run.pk))


@router.get("/city/plan-runs/{run_id}", response=CityPlanRunOut, summary="一次预案启动及其清单")
def plan_run(request: HttpRequest, run_id: int) -> dict[str, Any]:

    return plan_selectors.run_get(principal=principal_for_request(request), run_id=run_id)


@router.post(
    "/city/plan-runs/{run_id}/steps/{step_id}/check",
    response=CityPlanRunOut,
    summary="确认完成一个处置步骤（该步骤的责任部门或中心）；已完成或已终止时 409",
)
def plan_step_check(
    request: HttpRequest, run_id: int, step_id: int, body: CityStepCheckIn
) -> dict[str, Any]:
    principal = principal_for_request(request)
    plan_services.step_check(principal=principal, run_id=run_id, step_id=step_id, note=body.note)
    return plan_selectors.run_get(principal=principal, run_id=run_id)


@router.post(
    "/city/plan-runs/{run_id}/actions",
    response=CityPlanRunOut,
    summary="终止预案响应（close，中心）；已终止时 409",
)
def plan_run_action(request: HttpRequest, run_id: int, body: CityRunActionIn) -> dict[str, Any]:
    principal = principal_for_request(request)
    plan_selectors.run_get(principal=principal, run_id=run_id)  # 403/404 before the body
    if body.action != "close":
        raise ValidationFailed.one("action", "操作只能是 close（终止响应）")
    plan_services.run_close(principal=principal, run_id=run_id, note=body.note)
    return plan_selectors.run_get(principal=principal, run_id=run_id)
