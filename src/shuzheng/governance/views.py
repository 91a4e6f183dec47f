"""Pages of 城市运行体征指标 (issue 19 item 5): the indicators page (tiles with the latest value and
the level in words; a table that works without JavaScript; sparklines drawn by the vendored
ECharts when scripts run), an indicator's series page, the alerts list with 确认/解除 and an
alert's page. Thin: parse, call ``facade``, render."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET, require_POST

from shuzheng.core import codes
from shuzheng.core.errors import Conflict, DomainError, Forbidden, NotFound
from shuzheng.governance import facade
from shuzheng.governance.contracts import CITY, AlertInfo
from shuzheng.identity.facade import principal_for_request

STATUSES = (
    ("active", "未解除"),
    ("open", "未处理"),
    ("confirmed", "已确认"),
    ("cleared", "已解除"),
)


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except NotFound as e:
        raise Http404(e.message) from e
    except Forbidden as e:
        raise PermissionDenied(e.message) from e


def _fmt(value: float, precision: int) -> str:
    return f"{value:.{precision}f}"


@login_required
@require_GET
def indicators(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    infos = _guard(facade.indicators_overview, principal=principal)
    end = timezone.now()
    groups: dict[str, list[dict[str, Any]]] = {}
    for info in infos:
        spark: list[list[Any]] = []
        if info.latest and not info.per_district:
            _, points, _ = facade.indicator_series(
                principal=principal, code=info.code, start=end - dt.timedelta(days=7), end=end
            )
            spark = [[p.at.isoformat(), p.value] for p in points[-168:]]
        groups.setdefault(info.function_label, []).append(
            {
                "info": info,
                "latest": [{"v": v, "text": _fmt(v.value, info.precision)} for v in info.latest],
                "spark": json.dumps(spark),
            }
        )
    _, active = facade.alerts_list(principal=principal, status="active", limit=5)
    return render(
        request,
        "governance/indicators.html",
        {"groups": groups, "active": active, "empty": not infos},
    )


def _day(raw: str, *, end: bool = False) -> dt.datetime | None:
    d = parse_date(raw or "")
    if d is None:
        return None
    t = dt.time(23, 59, 59) if end else dt.time(0, 0)
    return timezone.make_aware(dt.datetime.combine(d, t))


@login_required
@require_GET
def series(request: HttpRequest, code: str) -> HttpResponse:
    principal = principal_for_request(request)
    start, end = _day(request.GET.get("from", "")), _day(request.GET.get("to", ""), end=True)
    district = request.GET.get("district", "")
    error = ""
    try:
        info, points, truncated = _guard(
            facade.indicator_series,
            principal=principal,
            code=code,
            start=start,
            end=end,
            district=district,
        )
    except DomainError as e:  # a bad date range or district: the page says so
        error = e.message
        info, points, truncated = _guard(facade.indicator_series, principal=principal, code=code)
    tile = next(
        (i for i in facade.indicators_overview(principal=principal) if i.code == code), info
    )
    rows = [
        {
            "at": p.at,
            "value": _fmt(p.value, info.precision),
            "district": "全市" if p.district == CITY else codes.region_name(p.district) or "",
        }
        for p in points
    ]
    districts = sorted({(v.district, v.district_name) for v in tile.latest})
    chart = json.dumps(
        {
            "unit": info.unit,
            "yellow": info.yellow,
            "red": info.red,
            "points": [[p.at.isoformat(), p.value, p.district] for p in points],
        }
    )
    return render(
        request,
        "governance/series.html",
        {
            "info": tile,
            "rows": list(reversed(rows))[:500],
            "count": len(rows),
            "truncated": truncated or len(rows) > 500,
            "chart": chart,
            "districts": districts,
            "district": district,
            "from": request.GET.get("from", ""),
            "to": request.GET.get("to", ""),
            "error": error,
        },
    )


@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    status = request.GET.get("status", "active")
    status = status if status in dict(STATUSES) else "active"
    page_raw = request.GET.get("page", "1")
    page = max(1, int(page_raw)) if page_raw.isdigit() else 1
    per = 30
    total, items = _guard(
        facade.alerts_list,
        principal=principal,
        status=status,
        limit=per,
        offset=(page - 1) * per,
    )
    base = reverse("governance:alerts") + f"?status={status}&page="
    return render(
        request,
        "governance/alerts.html",
        {
            "items": [_alert_view(a) for a in items],
            "total": total,
            "status": status,
            "statuses": STATUSES,
            "prev_url": base + str(page - 1) if page > 1 else "",
            "next_url": base + str(page + 1) if page * per < total else "",
            "done": request.GET.get("done", ""),
        },
    )


ACTION_LABELS = {"confirm": "确认预警", "clear": "解除预警"}


def _alert_view(a: AlertInfo) -> dict[str, Any]:
    return {"a": a, "actions": [(x, ACTION_LABELS[x]) for x in a.allowed_actions]}


@login_required
@require_GET
def alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    principal = principal_for_request(request)
    a = _guard(facade.alert_get, principal=principal, alert_id=alert_id)
    return render(request, "governance/alert.html", {"item": _alert_view(a), "error": ""})


@login_required
@require_POST
def alert_action(request: HttpRequest, alert_id: int) -> HttpResponse:
    principal = principal_for_request(request)
    action = request.POST.get("action", "")
    note = request.POST.get("note", "")
    try:
        _guard(facade.alert_act, principal=principal, alert_id=alert_id, action=action, note=note)
    except (Conflict, DomainError) as e:
        a = _guard(facade.alert_get, principal=principal, alert_id=alert_id)
        status = 409 if isinstance(e, Conflict) else 422
        return render(
            request,
            "governance/alert.html",
            {"item": _alert_view(a), "error": e.message},
            status=status,
        )
    back = request.POST.get("next", "")
    if back == "list":
        return redirect(reverse("governance:alerts") + "?done=1")
    return redirect(reverse("governance:alert", args=[alert_id]) + "?done=1")
