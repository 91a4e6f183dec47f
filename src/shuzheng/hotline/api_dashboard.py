"""12345 analysis API (issue 18 item 7, 总参谋): ``GET /hotline/hotspots`` (热点 by category
level, district and period with the change against the previous period; the center, or a
department's handlers over their own tickets) and ``GET /hotline/reports/weekly.xlsx|.pdf``
(the 周报; the center). ``/hotline/signals`` and ``/hotline/metrics`` live in ``api.py``."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from shuzheng.core.errors import Forbidden, NotFound, Unauthenticated
from shuzheng.hotline import dashboard, reports
from shuzheng.hotline.services import actions
from shuzheng.identity.contracts import HOTLINE_HANDLER_ROLES
from shuzheng.identity.facade import BearerAuth, principal_for_request

router = Router(tags=["hotline 12345"], auth=BearerAuth())


def _center_or_handler(request: HttpRequest) -> Any:
    principal = principal_for_request(request)
    if not principal.is_authenticated:
        raise Unauthenticated()
    if not (actions.is_center(principal) or principal.departments_for(HOTLINE_HANDLER_ROLES)):
        raise Forbidden("仅 12345 热线中心和承办单位的工单处置人员可以查看。")
    return principal


@router.get(
    "/hotline/hotspots",
    response=dict[str, Any],
    summary="热点：按诉求分类（层级）、区县和周期（日/周/月）排名，附与上一周期的对比",
    description=(
        "period=day|week|month（默认 week）；from/to（含）缺省为包含今天的那一周期；"
        "level=1|2|3 为分类层级。12345 中心看全部，承办单位看本单位的工单。"
    ),
)
def hotspots(
    request: HttpRequest,
    period: str = "week",
    start: dt.date | None = Query(None, alias="from"),  # noqa: B008
    end: dt.date | None = Query(None, alias="to"),  # noqa: B008
    level: int = 2,
    limit: int = Query(10, ge=1, le=50),
) -> dict[str, Any]:
    principal = _center_or_handler(request)
    return dashboard.hotspots(
        principal, period=period, start=start, end=end, level=level, limit=limit
    )


@router.get(
    "/hotline/reports/weekly.{fmt}",
    response={200: bytes},
    summary="12345 热线周报（Excel 或加盖电子印章的 PDF）",
    description="fmt=xlsx|pdf；week=YYYY-Www（ISO 周，如 2026-W49）。仅 12345 热线中心。",
)
def weekly_report(request: HttpRequest, fmt: str, week: str) -> HttpResponse:
    principal = principal_for_request(request)
    if not actions.is_center(principal):
        _center_or_handler(request)
        raise Forbidden("仅 12345 热线中心可以下载周报。")
    if fmt not in ("xlsx", "pdf"):
        raise NotFound("周报只有 Excel（.xlsx）和 PDF（.pdf）两种格式。")
    body, name, ctype = reports.weekly_report(principal, week, fmt)
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
