"""Pages of 城市管理事件 (issue 19 items 1–2): the 网格员's patrol page for phones
(``/city/patrol/``: photo, place from the phone's position or a 网格 picker, category,
description; a queue kept in the browser while offline, ``static/governance/patrol.js``), the
event list with open events per 区县, and an event's page with one plain form per action the
caller may take now (labels from ``transitions_events``). Everything works without JavaScript.
Thin: parse, call the services through ``facade``, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _t
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from shuzheng.core import codes
from shuzheng.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from shuzheng.files import facade as files
from shuzheng.governance import facade
from shuzheng.governance.models import EventClass, EventStatus, GridCell, GridMember
from shuzheng.governance.transitions_events import EVENT_LIFECYCLE, RATINGS
from shuzheng.identity import facade as identity
from shuzheng.identity.facade import principal_for_request

MAX_PHOTOS = 6
WARNINGS = {"yellow": "黄牌预警", "red": "红牌预警", "overdue": "已超时"}
FIELD_LABELS = {
    "category": "问题类别",
    "description": "问题描述",
    "grid": "所在网格",
    "lat": "位置",
    "address": "地点说明",
    "photos": "照片",
    "reason": "理由",
    "note": "说明",
    "department": "处置部门",
    "checker": "核查网格员",
    "rating": "评价",
    "level": "重大事件等级",
    "action": "操作",
}


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except NotFound as e:
        raise Http404(e.message) from e
    except Forbidden as e:
        raise PermissionDenied(e.message) from e


def _errors(exc: ValidationFailed) -> dict[str, str]:
    out: dict[str, str] = {}
    for e in exc.errors:
        out.setdefault(e.field.split("[", 1)[0], e.message)
    return out


def _upload(request: HttpRequest, actor: str, errors: dict[str, str]) -> list[str]:
    uploads = [f for f in request.FILES.getlist("photos") if f.size]
    if len(uploads) > MAX_PHOTOS:
        errors["photos"] = _t("照片最多 %(n)d 张。") % {"n": MAX_PHOTOS}
        return []
    ids = []
    for upload in uploads:
        if (upload.size or 0) > files.MAX_BYTES:
            errors["photos"] = _t("照片不能超过10MB。")
            return []
        try:
            info = files.file_store(actor=actor, name=upload.name or "", data=upload.read())
        except DomainError as exc:
            errors["photos"] = _t("“%(name)s”不是图片：%(why)s") % {
                "name": (upload.name or "")[:60],
                "why": exc.message,
            }
            return []
        ids.append(info.file_id)
    return ids


def _classes() -> list[tuple[str, list[EventClass]]]:
    groups: dict[str, list[EventClass]] = {}
    for c in EventClass.objects.filter(active=True).order_by("kind", "code"):
        groups.setdefault(f"{c.get_kind_display()} · {c.major}", []).append(c)
    return list(groups.items())


def _grids() -> list[tuple[str, list[GridCell]]]:
    groups: dict[str, list[GridCell]] = {}
    for g in GridCell.objects.filter(active=True).order_by("code"):
        groups.setdefault(codes.region_name(g.district) or "", []).append(g)
    return list(groups.items())


def _may_report(request: HttpRequest) -> Any:
    principal = principal_for_request(request)
    from shuzheng.governance.services.events import may_report

    try:
        may_report(principal)
    except Forbidden as e:
        raise PermissionDenied(e.message) from e
    return principal


def _mine(principal: Any) -> tuple[list[Any], list[Any]]:
    try:
        _, reported = facade.events_list(principal=principal, mine="reported", limit=10)
        _, checks = facade.events_list(principal=principal, mine="check", limit=20)
    except Forbidden:
        return [], []
    return reported, checks


@login_required
@require_http_methods(["GET", "POST"])
def patrol(request: HttpRequest) -> HttpResponse:
    """巡查上报 (phones first)."""
    principal = _may_report(request)
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "").strip()
            for k in ("category", "description", "grid", "lat", "lng", "address")
        }
        photos = _upload(request, principal.actor, errors)
        if not errors:
            try:
                info = facade.event_report(principal=principal, data={**values, "photos": photos})
            except ValidationFailed as exc:
                errors = _errors(exc)
            else:
                return redirect(
                    reverse("governance:event", args=[info.event_no]) + "?done=reported"
                )
        status = 422
    reported, checks = _mine(principal)
    return render(
        request,
        "governance/events/patrol.html",
        {
            "values": values,
            "errors": errors,
            "labels": FIELD_LABELS,
            "classes": _classes(),
            "grids": _grids(),
            "reported": reported,
            "checks": checks,
            "max_photos": MAX_PHOTOS,
        },
        status=status,
    )


@login_required
@require_GET
def events(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    status = request.GET.get("status", "open")
    if status not in ("open", "", *EventStatus.values):
        status = "open"
    district = request.GET.get("district", "")
    total, items = _guard(
        facade.events_list, principal=principal, status=status, district=district, limit=100
    )
    counts = facade.open_events_by_district(principal)
    districts = [
        (r.code, r.name, counts.get(r.code, 0))
        for r in sorted(identity.regions(parent="441200"), key=lambda r: r.code)
    ]
    return render(
        request,
        "governance/events/list.html",
        {
            "items": [(e, WARNINGS.get(e.warning, "")) for e in items],
            "total": total,
            "status": status,
            "statuses": [("open", "未结案"), *EventStatus.choices, ("", "全部")],
            "district": district,
            "districts": districts,
        },
    )


def _forms(info: Any) -> list[dict[str, Any]]:
    return [
        {"action": a, "label": EVENT_LIFECYCLE.label(a)}
        for a in info.allowed_actions
        if a in EVENT_LIFECYCLE
    ]


def _hand_targets(info: Any) -> dict[str, dict[str, Any]]:
    """The departments a ``hand_up`` / ``hand_down`` form offers, the default first selected."""
    from shuzheng.governance.models import CityEvent
    from shuzheng.governance.selectors.event_levels import city_departments, district_departments
    from shuzheng.governance.services.event_levels import default_target

    wanted = [a for a in ("hand_up", "hand_down") if a in info.allowed_actions]
    if not wanted:
        return {}
    event = CityEvent.objects.select_related("event_class").get(event_no=info.event_no)
    out = {}
    for action in wanted:
        options = (
            city_departments() if action == "hand_up" else district_departments(event.district)
        )
        out[action] = {
            "options": [(c, n) for c, n in options if c != event.department],
            "default": default_target(event, action),
        }
    return out


def _render_event(
    request: HttpRequest,
    principal: Any,
    event_no: str,
    *,
    error: str = "",
    errors: dict[str, str] | None = None,
    failed_action: str = "",
    status: int = 200,
) -> HttpResponse:
    info = _guard(facade.event_get, principal=principal, event_no=event_no)
    names = identity.department_names()
    departments = sorted(names.items()) if "dispatch" in info.allowed_actions else []
    checkers = (
        list(GridMember.objects.filter(active=True).order_by("district", "username"))
        if {"feedback", "assign_check"} & set(info.allowed_actions)
        else []
    )
    return render(
        request,
        "governance/events/detail.html",
        {
            "e": info,
            "warning": WARNINGS.get(info.warning, ""),
            "forms": _forms(info),
            "classes": _classes() if "file" in info.allowed_actions else [],
            "departments": departments,
            "checkers": checkers,
            "hand_targets": _hand_targets(info),
            "ratings": list(RATINGS.items()),
            "levels": [
                (1, "Ⅰ级（特别重大）"),
                (2, "Ⅱ级（重大）"),
                (3, "Ⅲ级（较大）"),
                (4, "Ⅳ级（一般）"),
            ],
            "error": error,
            "errors": errors or {},
            "failed_action": failed_action,
            "done": request.GET.get("done", ""),
            "labels": FIELD_LABELS,
            "photo_stages": {
                "report": "上报照片",
                "after": "处置后照片",
                "check": "核查照片",
            },
        },
        status=status,
    )


@login_required
@require_GET
def event(request: HttpRequest, event_no: str) -> HttpResponse:
    return _render_event(request, principal_for_request(request), event_no)


@login_required
@require_POST
def event_act(request: HttpRequest, event_no: str) -> HttpResponse:
    principal = principal_for_request(request)
    _guard(facade.event_get, principal=principal, event_no=event_no)  # 404 before anything
    action = request.POST.get("action", "")
    params: dict[str, Any] = {
        k: request.POST.get(k, "").strip()
        for k in ("note", "reason", "category", "department", "checker", "rating", "level")
    }
    errors: dict[str, str] = {}
    photos = _upload(request, principal.actor, errors)
    if errors:
        return _render_event(
            request, principal, event_no, errors=errors, failed_action=action, status=422
        )
    params["photos"] = photos
    try:
        facade.event_act(principal=principal, event_no=event_no, action=action, params=params)
    except ValidationFailed as exc:
        return _render_event(
            request,
            principal,
            event_no,
            error=exc.message if not exc.errors else "",
            errors=_errors(exc),
            failed_action=action,
            status=422,
        )
    except Conflict as exc:
        return _render_event(request, principal, event_no, error=exc.message, status=409)
    return redirect(reverse("governance:event", args=[event_no]) + f"?done={action}")


@login_required
@require_GET
def event_photo(request: HttpRequest, event_no: str, file_id: uuid.UUID) -> HttpResponseBase:
    """A photo of an event the caller sees (read audited by ``files``)."""
    principal = principal_for_request(request)
    info = _guard(facade.event_get, principal=principal, event_no=event_no)
    if str(file_id) not in {p.get("file_id") for p in info.photos}:
        raise Http404(_t("未找到该照片。"))
    stored, handle = files.file_read(
        file_id=str(file_id), actor=principal.actor, purpose=f"city-event:{event_no}"
    )
    return files.inline_response(stored, handle, embeddable=True)
