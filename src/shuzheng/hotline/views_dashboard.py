"""The 12345 analysis dashboard (总参谋, issue 18 item 7): 三率 and the other rates per department
and 区县, volumes on a map of 肇庆's districts, the trend, the 弱信号 panel with sample tickets,
the 热点 list and the 周报 downloads. Tables carry every number (the no-JavaScript, accessible
form); ECharts draws the charts and the map from the same numbers (``json_script``) as
progressive enhancement. The center (``demo-hotline``, ``demo-hotline-lead``) sees everything;
a department's handlers see their own department's part (no 弱信号, no 周报)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_GET

from shuzheng.core.errors import ValidationFailed
from shuzheng.hotline import dashboard, facade, reports, selectors
from shuzheng.hotline.services import actions
from shuzheng.identity.contracts import HOTLINE_HANDLER_ROLES, Principal
from shuzheng.identity.facade import principal_for_request


def _viewer(request: HttpRequest) -> tuple[Principal, bool]:
    principal = principal_for_request(request)
    center = actions.is_center(principal)
    if not (center or principal.departments_for(HOTLINE_HANDLER_ROLES)):
        raise PermissionDenied(_t("仅 12345 热线中心和承办单位的工单处置人员可以查看。"))
    return principal, center


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{v * 100:.1f}%"


def _change(row: dict[str, Any]) -> str:
    if row["change_rate"] is None:
        return _t("新增") if row["count"] else "—"
    return f"{row['change_rate'] * 100:+.1f}%"


def _rate_rows(m: dict[str, Any]) -> list[dict[str, Any]]:
    keys = list(selectors.METRIC_NAMES)
    rows = [
        {
            "name": g["name"],
            "tickets": g["tickets"],
            "cells": [(selectors.METRIC_NAMES[k], _pct(g[k])) for k in keys],
        }
        for g in sorted(m["groups"], key=lambda g: -g["tickets"])
    ]
    rows.append(
        {
            "name": _t("合计"),
            "tickets": m["overall"]["tickets"],
            "cells": [(selectors.METRIC_NAMES[k], _pct(m["overall"][k])) for k in keys],
            "total": True,
        }
    )
    return rows


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    principal, center = _viewer(request)
    today = timezone.localdate()
    period = request.GET.get("period", "month")
    if period not in dashboard.PERIODS:
        period = "month"
    try:
        level = int(request.GET.get("level", "2"))
    except ValueError:
        level = 2
    level = level if level in dashboard.LEVELS else 2
    start, end = _date(request.GET.get("from", "")), _date(request.GET.get("to", ""))
    errors: list[str] = []
    try:
        spots = dashboard.hotspots(
            principal, period=period, start=start, end=end, level=level, today=today
        )
    except ValidationFailed as exc:
        errors = [e.message for e in exc.errors] or [exc.message]
        start = end = None
        spots = dashboard.hotspots(principal, period=period, level=level, today=today)
    r = dashboard.Range(dt.date.fromisoformat(spots["from"]), dt.date.fromisoformat(spots["to"]))
    by_dept = selectors.metrics(principal, start=r.start, end=r.end, group="department")
    by_region = selectors.metrics(principal, start=r.start, end=r.end, group="region")
    trend_range = dashboard.Range(today - dt.timedelta(days=89), today)
    trend = dashboard.trend(principal, trend_range, bucket="day")
    signals = facade.signals(principal, today=today) if center else []
    this_week = today - dt.timedelta(days=today.weekday())
    weeks = []
    for back in (1, 0):
        monday = this_week - dt.timedelta(weeks=back)
        y, w, _ = monday.isocalendar()
        weeks.append(
            {
                "code": f"{y}-W{w:02d}",
                "label": dashboard.week_label(
                    dashboard.Range(monday, monday + dt.timedelta(days=6))
                ),
            }
        )
    chart = {
        "map": [{"name": d["name"], "value": d["count"]} for d in spots["districts"] if d["code"]],
        "trend": trend,
        "categories": [{"name": c["name"], "value": c["count"]} for c in spots["categories"]],
        "rates": {
            "names": [
                selectors.METRIC_NAMES[k]
                for k in ("response_rate", "resolution_rate", "satisfaction_rate")
            ],
            "rows": [
                {
                    "name": g["name"],
                    "values": [
                        None if g[k] is None else round(g[k] * 100, 1)
                        for k in ("response_rate", "resolution_rate", "satisfaction_rate")
                    ],
                }
                for g in sorted(by_dept["groups"], key=lambda g: -g["tickets"])[:12]
            ],
        },
        "labels": {
            "tickets": _t("工单量"),
            "trend": _t("每日受理量"),
        },
    }
    return render(
        request,
        "hotline/dashboard/index.html",
        {
            "center": center,
            "period": period,
            "periods": [(k, _t(v)) for k, v in dashboard.PERIODS.items()],
            "level": level,
            "levels": [(1, _t("一级分类")), (2, _t("二级分类")), (3, _t("三级分类"))],
            "start": start,
            "end": end,
            "errors": errors,
            "spots": spots,
            "total_change": _change(spots["total"]),
            "categories": [{**c, "change_text": _change(c)} for c in spots["categories"]],
            "districts": [{**d, "change_text": _change(d)} for d in spots["districts"]],
            "metric_names": list(selectors.METRIC_NAMES.values()),
            "dept_rows": _rate_rows(by_dept),
            "region_rows": _rate_rows(by_region),
            "trend": trend,
            "trend_range": trend_range,
            "signals": signals,
            "weeks": weeks,
            "chart": chart,
        },
    )


@login_required
@require_GET
def weekly_report(request: HttpRequest, fmt: str) -> HttpResponse:
    """The 周报 download from the dashboard (a session; the API has the same for tokens)."""
    principal, center = _viewer(request)
    if not center:
        raise PermissionDenied(_t("仅 12345 热线中心可以下载周报。"))
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    try:
        body, name, ctype = reports.weekly_report(principal, request.GET.get("week", ""), fmt)
    except ValidationFailed:
        return render(
            request,
            "hotline/dashboard/bad_week.html",
            {"week": request.GET.get("week", "")[:20]},
            status=422,
        )
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response["Cache-Control"] = "no-store"
    return response
