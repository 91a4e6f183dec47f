"""Pages of 指挥调度 (the command dashboard) and 预案 under /city/: the dashboard (a plain
server-rendered page with tables; its live part re-fetched every few seconds by htmx and the map
drawn by the vendored ECharts when scripts run), the 预案 list, starting a plan (a form), a
run's checklist with a form per step. Thin: parse, call a selector or service, render."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzheng.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from shuzheng.governance.models import Alert, Plan
from shuzheng.governance.selectors import dashboard as dashboard_selectors
from shuzheng.governance.selectors import plans as plan_selectors
from shuzheng.governance.selectors.event_points import open_event_points
from shuzheng.governance.selectors.indicators import district_label
from shuzheng.governance.selectors.performance import performance_tables
from shuzheng.governance.services import plans as plan_services
from shuzheng.identity.facade import principal_for_request

POLL_SECONDS = 5


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except NotFound as e:
        raise Http404(e.message) from e
    except Forbidden as e:
        raise PermissionDenied(e.message) from e


def _context(request: HttpRequest) -> dict[str, Any]:
    principal = principal_for_request(request)
    data = _guard(dashboard_selectors.dashboard, principal=principal)
    chart = {
        "map": [{"name": d["name"], "value": d["open_events"]} for d in data["districts"]],
        "label": "在办事件",
        "points": open_event_points(),
        "points_label": _t("在办事件位置"),
    }
    shown = {k: v for k, v in data.items() if k != "generated_at"}
    stamp = hashlib.sha256(json.dumps(shown, default=str, sort_keys=True).encode()).hexdigest()
    return {"d": data, "chart": chart, "poll": POLL_SECONDS, "stamp": stamp[:16]}


@login_required
@require_GET
def command(request: HttpRequest) -> HttpResponse:
    ctx = _context(request)
    ctx["screen"] = request.GET.get("screen") == "1"
    ctx["perf"] = perf = performance_tables()
    ctx["perf_tables"] = [
        {
            "id": "districts",
            "title": _t("各区县"),
            "key_label": _t("区县"),
            "rows": perf["districts"],
        },
        {
            "id": "departments",
            "title": _t("各处置部门"),
            "key_label": _t("处置部门"),
            "rows": perf["departments"],
        },
    ]
    return render(request, "governance/dashboard/command.html", ctx)


@login_required
@require_GET
def command_live(request: HttpRequest) -> HttpResponse:
    """The live part of the dashboard (htmx swaps it in every few seconds); 204 (htmx keeps
    what it shows) when nothing changed since the ``stamp`` the page holds."""
    ctx = _context(request)
    if request.GET.get("stamp") == ctx["stamp"]:
        return HttpResponse(status=204)
    return render(request, "governance/dashboard/_live.html", ctx)


@login_required
@require_GET
def plans(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    status = request.GET.get("status", "active")
    status = status if status in ("active", "closed") else "active"
    total, runs = _guard(plan_selectors.runs_list, principal=principal, status=status, limit=100)
    definitions = _guard(plan_selectors.plans_list, principal=principal)
    return render(
        request,
        "governance/dashboard/plans.html",
        {
            "runs": runs,
            "total": total,
            "status": status,
            "definitions": definitions,
            "center": plan_services.is_center(principal),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_start(request: HttpRequest) -> HttpResponse:
    """The center starts a plan for an alert (``?alert=``) or an event (``?event_no=``)."""
    principal = principal_for_request(request)
    _guard(dashboard_selectors.require_center, principal)
    src = request.POST if request.method == "POST" else request.GET
    raw_alert = src.get("alert", "").strip()
    values = {
        "plan": src.get("plan", ""),
        "alert": raw_alert,
        "event_no": src.get("event_no", "").strip(),
        "reason": src.get("reason", ""),
    }
    alert = (
        Alert.objects.select_related("indicator").filter(pk=raw_alert).first()
        if (raw_alert.isdigit())
        else None
    )
    if request.method == "GET" and alert is not None and not values["plan"]:
        suggested = plan_services.plan_for_alert(alert)
        values["plan"] = suggested.code if suggested else ""
    errors: dict[str, str] = {}
    message = ""
    status = 200
    if request.method == "POST":
        if raw_alert and not raw_alert.isdigit():
            errors["alert"] = "预警编号应为数字"
        else:
            try:
                run = plan_services.plan_start(
                    principal=principal,
                    plan=values["plan"],
                    alert=int(raw_alert) if raw_alert else None,
                    event_no=values["event_no"],
                    reason=values["reason"],
                )
                return redirect(reverse("governance:plan_run", args=[run.pk]) + "?started=1")
            except ValidationFailed as e:
                errors = {f.field: f.message for f in e.errors}
                status = 422
            except Conflict as e:
                message, status = e.message, 409
        status = 422 if errors and status == 200 else status
    return render(
        request,
        "governance/dashboard/plan_start.html",
        {
            "values": values,
            "alert": alert,
            "alert_place": district_label(alert.district) if alert else "",
            "plans": Plan.objects.filter(active=True).order_by("kind", "level", "code"),
            "errors": errors,
            "message": message,
        },
        status=status,
    )


@login_required
@require_GET
def plan_run(request: HttpRequest, run_id: int) -> HttpResponse:
    principal = principal_for_request(request)
    run = _guard(plan_selectors.run_get, principal=principal, run_id=run_id)
    return render(
        request,
        "governance/dashboard/plan_run.html",
        {"run": run, "started": request.GET.get("started"), "done": request.GET.get("done")},
    )


def _act(request: HttpRequest, run_id: int, fn: Any, **kwargs: Any) -> HttpResponse:
    principal = principal_for_request(request)
    try:
        _guard(fn, principal=principal, run_id=run_id, **kwargs)
    except DomainError as e:
        run = _guard(plan_selectors.run_get, principal=principal, run_id=run_id)
        return render(
            request,
            "governance/dashboard/plan_run.html",
            {"run": run, "error": e.message},
            status=409 if isinstance(e, Conflict) else e.status,
        )
    return redirect(reverse("governance:plan_run", args=[run_id]) + "?done=1")


@login_required
@require_POST
def plan_step_check(request: HttpRequest, run_id: int, step_id: int) -> HttpResponse:
    return _act(
        request,
        run_id,
        plan_services.step_check,
        step_id=step_id,
        note=request.POST.get("note", ""),
    )


@login_required
@require_POST
def plan_close(request: HttpRequest, run_id: int) -> HttpResponse:
    return _act(request, run_id, plan_services.run_close, note=request.POST.get("note", ""))
