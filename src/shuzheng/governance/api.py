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
from ninja import Query, Router, Schema
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
