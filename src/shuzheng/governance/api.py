"""一网统管 API (issue 19, "API": a public contract — extend, never rename).

``POST /city/readings`` (API clients and the center; up to 10,000 readings, all or nothing) ·
``GET /city/indicators`` (latest value and level) · ``GET /city/indicators/{code}/series`` ·
``GET /city/alerts`` · ``GET /city/alerts/{id}`` · ``POST /city/alerts/{id}/actions``
(confirm/clear; 409 with ``allowed_actions`` in a wrong state). Handlers parse, call one
service or selector, answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from shuzheng.governance import facade
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["governance 一网统管"], auth=BearerAuth())


class CityReadingsIn(Schema):
    readings: list[Any] = Field(
        ...,
        description=(
            "读数列表（每次最多 10,000 条）：indicator 指标编码，value 数值，at 时间（ISO 8601），"
            "unit 单位（可选，须与指标一致），district 区县代码（按区县上报的指标必填），"
            "source 来源（可选）"
        ),
    )


class CityLatestOut(Schema):
    district: str
    district_name: str
    at: dt.datetime
    value: float
    level: str
    level_label: str


class CityAlertOut(Schema):
    id: int
    indicator: str
    indicator_name: str
    unit: str
    district: str
    district_name: str
    level: str
    level_label: str
    at: dt.datetime
    value: float
    threshold: float
    department: str
    department_name: str
    status: str
    status_label: str
    raised_at: dt.datetime
    confirmed_at: dt.datetime | None
    cleared_at: dt.datetime | None
    note: str
    allowed_actions: list[str]


class CityReadingsOut(Schema):
    accepted: int
    duplicates: int
    alerts: list[CityAlertOut]
    cleared: list[int]


class CityIndicatorOut(Schema):
    code: str
    name: str
    unit: str
    department: str
    department_name: str
    function: str
    function_label: str
    source: str
    frequency: str
    direction: str
    yellow: float | None
    red: float | None
    per_district: bool
    level: str
    latest: list[CityLatestOut]


class CityPointOut(Schema):
    at: dt.datetime
    value: float
    district: str


class CitySeriesOut(Schema):
    indicator: CityIndicatorOut
    points: list[CityPointOut]
    truncated: bool


class CityAlertListOut(Schema):
    total: int
    alerts: list[CityAlertOut]


class CityAlertActionIn(Schema):
    action: str = Field(..., description="confirm 确认 | clear 解除")
    note: str = Field("", description="处理说明（可选，不超过 500 字）")


def _indicator(info: Any) -> dict[str, Any]:
    return asdict(info) | {"level": info.level}


@router.post(
    "/city/readings",
    response=CityReadingsOut,
    summary="上报城市运行体征指标读数（每次最多 10,000 条，全部成功或全部不保存）",
    description=(
        "持有 city.readings 权限范围的接入系统（本部门的指标）和城市运行管理中心可用。"
        "同一指标、区县、时间的读数只保存一次，重复的计入 duplicates；越过阈值即发出预警。"
    ),
)
def readings_post(request: HttpRequest, body: CityReadingsIn) -> dict[str, Any]:
    result = facade.readings_ingest(principal=principal_for_request(request), items=body.readings)
    return {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "alerts": [asdict(a) for a in result.alerts],
        "cleared": result.cleared,
    }


@router.get(
    "/city/indicators",
    response=list[CityIndicatorOut],
    summary="城市运行体征指标：最新值与预警级别（按调用者可见范围）",
)
def indicators(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        _indicator(i) for i in facade.indicators_overview(principal=principal_for_request(request))
    ]


@router.get(
    "/city/indicators/{code}/series",
    response=CitySeriesOut,
    summary="指标时间序列（默认最近 7 天；from/to 为 ISO 8601 时间，district 为区县代码）",
)
def series(
    request: HttpRequest,
    code: str,
    start: dt.datetime | None = Query(None, alias="from"),  # noqa: B008
    end: dt.datetime | None = Query(None, alias="to"),  # noqa: B008
    district: str = "",
) -> dict[str, Any]:
    info, points, truncated = facade.indicator_series(
        principal=principal_for_request(request),
        code=code,
        start=start,
        end=end,
        district=district,
    )
    return {
        "indicator": _indicator(info),
        "points": [asdict(p) for p in points],
        "truncated": truncated,
    }


@router.get(
    "/city/alerts",
    response=CityAlertListOut,
    summary="指标预警列表（status: open/confirmed/cleared/active；level: yellow/red）",
)
def alerts(
    request: HttpRequest,
    status: str = "",
    level: str = "",
    district: str = "",
    indicator: str = "",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    total, items = facade.alerts_list(
        principal=principal_for_request(request),
        status=status,
        level=level,
        district=district,
        indicator=indicator,
        limit=limit,
        offset=max(0, offset),
    )
    return {"total": total, "alerts": [asdict(a) for a in items]}


@router.get("/city/alerts/{alert_id}", response=CityAlertOut, summary="一条预警（含可执行操作）")
def alert(request: HttpRequest, alert_id: int) -> dict[str, Any]:
    return asdict(facade.alert_get(principal=principal_for_request(request), alert_id=alert_id))


@router.post(
    "/city/alerts/{alert_id}/actions",
    response=CityAlertOut,
    summary="确认（confirm）或解除（clear）预警；状态不允许时 409 并给出 allowed_actions",
)
def alert_action(request: HttpRequest, alert_id: int, body: CityAlertActionIn) -> dict[str, Any]:
    principal = principal_for_request(request)
    return asdict(
        facade.alert_act(principal=principal, alert_id=alert_id, action=body.action, note=body.note)
    )


# --- 城市管理事件 (events, the closed loop) ----------------------------------------------------


class CityEventIn(Schema):
    category: str = Field(
        ..., description="事件/部件分类编码（GB/T 30428 小类，如 BJ-0102 污水井盖）"
    )
    description: str = Field(..., description="问题描述（不超过 1000 字）")
    grid: str = Field("", description="单元网格编码（与经纬度至少填一项）")
    lat: Any = Field(None, description="纬度（WGS-84，须在肇庆市范围内）")
    lng: Any = Field(None, description="经度")
    address: str = Field("", description="地点描述（可选）")
    photos: Any = Field(
        None, description="照片：先经 POST /api/v1/files 上传的文件编号列表（JPEG/PNG）"
    )
    source: str = Field("", description="接入系统来源：sensor 感知设备 | system 其他系统（可选）")
    external_ref: str = Field("", description="来源系统中的编号（可选）")


class CityEventActionIn(Schema):
    action: str = Field(
        ...,
        description=(
            "file 立案 | reject 不予立案(reason) | dispatch 派遣(department?) | return 退回(reason)"
            " | feedback 处置反馈(note, photos, checker?) | assign_check 指派核查(checker)"
            " | check_pass 核查通过 | check_fail 核查不通过(reason, photos?) | close 结案"
            " | rate 评价(rating: satisfied/basic/unsatisfied) | urge 催办(reason)"
            " | supervise 督办(reason) | escalate 升级为重大事件(level 1–4, reason)"
            " | hand_up 上交市级处置(reason, department?)"
            " | hand_down 下放区县处置(reason, department?)"
        ),
    )
    note: str = ""
    reason: str = ""
    category: str = ""
    department: str = ""
    checker: str = ""
    rating: str = ""
    level: Any = None
    photos: Any = None


class CityEventStepOut(Schema):
    action: str
    label: str
    status: str
    status_label: str
    actor_name: str
    note: str
    photos: list[dict[str, str]]
    at: dt.datetime


class CityEventOut(Schema):
    event_no: str
    status: str
    status_label: str
    category: str
    category_name: str
    kind_label: str
    source: str
    source_label: str
    level: int
    description: str
    address: str
    lat: float | None
    lng: float | None
    district: str
    district_name: str
    grid: str
    grid_name: str
    reporter_name: str
    department: str
    department_name: str
    suggested_department: str
    checker: str
    checker_name: str
    photos: list[dict[str, str]]
    hotline_ticket_no: str
    outcome: str
    rework_count: int
    urge_count: int
    supervise_count: int
    rating: str
    created_at: dt.datetime
    filed_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    warning: str
    allowed_actions: list[str]
    steps: list[CityEventStepOut]


class CityEventListOut(Schema):
    total: int
    events: list[CityEventOut]


@router.post(
    "/city/events",
    response={201: CityEventOut},
    summary="上报城市管理事件（网格员、部门、感知设备和其他系统）",
    description=(
        "网格员巡查上报、部门自行上报，或持有 city.events / city.readings 权限范围的接入系统推送。"
        "位置须在肇庆市范围内；照片须为本人上传的 JPEG/PNG 图片。成功返回 201 和事件编号。"
    ),
)
def event_post(request: HttpRequest, body: CityEventIn) -> Status:
    info = facade.event_report(principal=principal_for_request(request), data=body.dict())
    return Status(201, asdict(info))


@router.get(
    "/city/events",
    response=CityEventListOut,
    summary="城市管理事件列表（status: open 或具体状态；mine: reported 我上报的 / check 待我核查）",
)
def events(
    request: HttpRequest,
    status: str = "",
    district: str = "",
    department: str = "",
    mine: str = "",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    total, items = facade.events_list(
        principal=principal_for_request(request),
        status=status,
        district=district,
        department=department,
        mine=mine,
        limit=limit,
        offset=max(0, offset),
    )
    return {"total": total, "events": [asdict(e) for e in items]}


@router.get(
    "/city/events/{event_no}",
    response=CityEventOut,
    summary="一件城市管理事件（含处理过程和当前可执行的操作 allowed_actions）",
)
def event_get(request: HttpRequest, event_no: str) -> dict[str, Any]:
    return asdict(facade.event_get(principal=principal_for_request(request), event_no=event_no))


@router.post(
    "/city/events/{event_no}/actions",
    response=CityEventOut,
    summary="对事件执行一步操作（立案、派遣、处置反馈、核查、结案、评价等）；状态不允许时 409",
)
def event_action(request: HttpRequest, event_no: str, body: CityEventActionIn) -> dict[str, Any]:
    params = body.dict()
    action = params.pop("action")
    info = facade.event_act(
        principal=principal_for_request(request), event_no=event_no, action=action, params=params
    )
    return asdict(info)
