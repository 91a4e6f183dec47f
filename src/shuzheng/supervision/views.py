"""Pages of 督查督办 under /supervision/: the 挂图作战 board (tasks by section with their level in
words and symbol, filters, per-department completion) and a task's page with the caller's
actions as plain forms (report with figures and evidence, review, 督办通知, reply). Thin:
parse, call one service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shuzheng.core.errors import Conflict, DomainError, Forbidden, NotFound
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import principal_for_request
from shuzheng.supervision import selectors, services
from shuzheng.supervision.transitions import TASK_LIFECYCLE

OFFICE_ACTIONS = ("accept", "return", "complete", "reopen")


def _guard(fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(*args, **kwargs)
    except NotFound as e:
        raise Http404(e.message) from e
    except Forbidden as e:
        raise PermissionDenied(e.message) from e


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    principal = principal_for_request(request)
    department = request.GET.get("department", "")
    level = request.GET.get("level", "")
    tasks = _guard(selectors.tasks_list, principal=principal, department=department, level=level)
    sections: dict[str, list[dict[str, Any]]] = {}
    for t in tasks:
        key = f"{t['plan_title']} · {t['path'][0]}" if t["path"] else t["plan_title"]
        sections.setdefault(key, []).append(t)
    scores = selectors.scores(principal=principal)
    names = selectors.dept_names()
    codes = sorted({d["code"] for t in tasks for d in t["lead_departments"]} | {department} - {""})
    return render(
        request,
        "supervision/board.html",
        {
            "sections": list(sections.items()),
            "scores": scores,
            "departments": [(c, names.get(c, c)) for c in codes],
            "levels": [(k, v) for k, v in selectors.LEVEL_LABELS.items()],
            "department": department,
            "level": level,
        },
    )


def _task_page(
    request: HttpRequest, principal: Principal, task_id: int, *, error: str = "", status: int = 200
) -> HttpResponse:
    task = _guard(selectors.task_for, principal, task_id)
    t = selectors.task_dict(task, principal, timezone.localdate())
    roles = selectors.roles_on_task(principal, task)
    office_actions = [
        (a, TASK_LIFECYCLE.label(a)) for a in t["allowed_actions"] if a in OFFICE_ACTIONS
    ]
    return render(
        request,
        "supervision/task.html",
        {
            "t": t,
            "reports": selectors.reports_of(task),
            "urges": selectors.urges_of(task),
            "office_actions": office_actions,
            "can_reply": "owner" in roles,
            "error": error,
        },
        status=status,
    )


@login_required
@require_GET
def task(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_page(request, principal_for_request(request), task_id)


def _done(task_id: int) -> HttpResponse:
    return redirect(reverse("supervision:task", args=[task_id]) + "?done=1")


def _refused(request: HttpRequest, principal: Principal, task_id: int, e: DomainError) -> Any:
    if isinstance(e, NotFound):
        raise Http404(e.message) from e
    if isinstance(e, Forbidden):
        raise PermissionDenied(e.message) from e
    status = 409 if isinstance(e, Conflict) else 422
    # each field's own words, never the field path
    words = "；".join(x.message for x in e.errors) or e.message
    return _task_page(request, principal, task_id, error=words, status=status)


@login_required
@require_POST
def report(request: HttpRequest, task_id: int) -> HttpResponse:
    principal = principal_for_request(request)
    figures = []
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("figure_") and value.strip():
            target = key.removeprefix("figure_")
            figures.append({"target": int(target) if target.isdigit() else target, "value": value})
    files = [(f.name or "evidence", f.read()) for f in request.FILES.getlist("evidence")]
    try:
        services.report_submit(
            principal=principal,
            task_id=task_id,
            note=request.POST.get("note", ""),
            figures=figures,
            evidence=files,
        )
    except DomainError as e:
        return _refused(request, principal, task_id, e)
    return _done(task_id)


@login_required
@require_POST
def action(request: HttpRequest, task_id: int) -> HttpResponse:
    principal = principal_for_request(request)
    try:
        services.task_act(
            principal=principal,
            task_id=task_id,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as e:
        return _refused(request, principal, task_id, e)
    return _done(task_id)


@login_required
@require_POST
def urge(request: HttpRequest, task_id: int) -> HttpResponse:
    principal = principal_for_request(request)
    try:
        services.urge_issue(principal=principal, task_id=task_id, body=request.POST.get("body", ""))
    except DomainError as e:
        return _refused(request, principal, task_id, e)
    return _done(task_id)


@login_required
@require_POST
def reply(request: HttpRequest, urge_id: int) -> HttpResponse:
    principal = principal_for_request(request)
    u = _guard(selectors.urge_for, principal, urge_id)
    try:
        services.urge_answer(
            principal=principal, urge_id=urge_id, reply=request.POST.get("reply", "")
        )
    except DomainError as e:
        return _refused(request, principal, u.task_id, e)
    return _done(u.task_id)
