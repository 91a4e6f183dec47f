"""Pages of 督查督办 under /supervision/: the 挂图作战 board (tasks by section with their level in
words and symbol, filters, per-department completion) and a task's page with the caller's
actions as plain forms (report with figures and evidence, review, 督办通知, reply). Thin:
parse, call one service or selector, render."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from shuzheng.core.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from shuzheng.identity.contracts import Principal
from shuzheng.identity.facade import principal_for_request
from shuzheng.supervision import export, notice, selectors, services
from shuzheng.supervision.transitions import TASK_LIFECYCLE

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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
    raw_plan = request.GET.get("plan", "")
    plan = int(raw_plan) if raw_plan.isdigit() else None
    tasks = _guard(
        selectors.tasks_list, principal=principal, department=department, level=level, plan=plan
    )
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
            "can_import": selectors.scope_of(principal).all,
            "query": request.GET.urlencode(),
        },
    )


def _board_filters(request: HttpRequest) -> dict[str, Any]:
    raw_plan = request.GET.get("plan", "")
    return {
        "department": request.GET.get("department", "")[:32],
        "level": request.GET.get("level", "")[:8],
        "plan": int(raw_plan) if raw_plan.isdigit() else None,
    }


@login_required
@require_GET
def board_xlsx(request: HttpRequest) -> HttpResponse:
    """The board as an Excel workbook for meetings, filtered like the board."""
    data = _guard(
        export.board_xlsx, principal=principal_for_request(request), **_board_filters(request)
    )
    response = HttpResponse(data, content_type=XLSX)
    name = f"挂图作战督办任务{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


@login_required
@require_GET
def board_print(request: HttpRequest) -> HttpResponse:
    """The board for printing: every task with its targets and latest report, no forms."""
    principal = principal_for_request(request)
    filters = _board_filters(request)
    tasks = export.board_rows(_guard(selectors.tasks_list, principal=principal, **filters))
    sections: dict[str, list[dict[str, Any]]] = {}
    for t in tasks:
        key = f"{t['plan_title']} · {t['path'][0]}" if t["path"] else t["plan_title"]
        sections.setdefault(key, []).append(t)
    return render(
        request,
        "supervision/board_print.html",
        {
            "sections": list(sections.items()),
            "scores": selectors.scores(principal=principal),
            "today": timezone.localdate(),
            "department_name": selectors.dept_names().get(filters["department"], ""),
            "level_label": selectors.LEVEL_LABELS.get(filters["level"], ""),
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
            "reminders": list(task.reminders.all()[:10]),
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


@login_required
def plan_import(request: HttpRequest) -> HttpResponse:
    """Upload a plan → its proposed register in one screen (titles, lead departments by name,
    deadlines editable; targets as proposed) → confirm. Nothing is stored before the confirm."""
    principal = principal_for_request(request)
    _guard(selectors.require_office, principal)
    if request.method == "POST" and request.POST.get("step") == "confirm":
        count = int(request.POST.get("count", "0") or 0)
        tasks = []
        for i in range(min(count, services.MAX_TASKS)):
            p = f"t{i}_"
            tasks.append(
                {
                    "path": _json(request.POST.get(p + "path", "[]")),
                    "title": request.POST.get(p + "title", ""),
                    "lead_departments": [
                        x for x in re.split(r"[、，,\s]+", request.POST.get(p + "leads", "")) if x
                    ],
                    "targets": _json(request.POST.get(p + "targets", "[]")),
                    "deadline": request.POST.get(p + "deadline", "") or None,
                    "text": request.POST.get(p + "text", ""),
                    "lead_text": request.POST.get(p + "lead_text", ""),
                }
            )
        try:
            plan = services.plan_confirm(
                principal=principal,
                title=request.POST.get("title", ""),
                year=request.POST.get("year", ""),
                tasks=tasks,
            )
        except DomainError as e:
            words = "；".join(x.message for x in e.errors) or e.message
            return _review(request, request.POST.get("title", ""), request.POST.get("year", ""),
                           tasks, words, status=422)  # fmt: skip
        return redirect(reverse("supervision:board") + f"?plan={plan.pk}")
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationFailed.one("file", "请选择工作计划文件。")
            proposal = services.plan_preview(
                principal=principal, name=upload.name or "", data=upload.read()
            )
        except DomainError as e:
            words = "；".join(x.message for x in e.errors) or e.message
            return render(request, "supervision/import.html", {"error": words}, status=422)
        names = selectors.dept_names()
        office = selectors.office_departments()[0]
        tasks = []
        for t in proposal["tasks"]:
            pairs = zip(t["lead_departments"], t["lead_department_codes"], strict=False)
            matched = [names.get(code, code) for _, code in pairs if code]
            unmatched = [n for n, code in zip(t["lead_departments"], t["lead_department_codes"],
                                              strict=False) if not code]  # fmt: skip
            # a task no platform department leads is followed up by the lead office (牵头抓总)
            tasks.append(
                {**t, "lead_departments": matched or [names.get(office, office)],
                 "unmatched": unmatched}
            )  # fmt: skip
        return _review(request, proposal["title"], proposal["year"] or "", tasks, "")
    return render(request, "supervision/import.html", {})


def _json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _review(
    request: HttpRequest, title: str, year: Any, tasks: list[dict[str, Any]], error: str,
    *, status: int = 200,
) -> HttpResponse:  # fmt: skip
    rows = [
        {
            "i": i,
            "path_label": selectors.path_label(t.get("path") or []),
            "path": json.dumps(t.get("path"), ensure_ascii=False),
            "title": t.get("title", ""),
            "leads": "、".join(str(x) for x in t.get("lead_departments") or []),
            "targets": json.dumps(t.get("targets") or [], ensure_ascii=False, default=str),
            "target_words": "；".join(
                f"{x.get('text')}（{x.get('value')}{x.get('unit')}）"
                for x in t.get("targets") or []
                if isinstance(x, dict)
            ),
            "deadline": t.get("deadline") or "",
            "unmatched": "、".join(t.get("unmatched") or []),
            "text": t.get("text", ""),
            "lead_text": t.get("lead_text", ""),
        }
        for i, t in enumerate(tasks)
    ]
    return render(
        request,
        "supervision/import.html",
        {"review": True, "title": title, "year": year, "rows": rows, "error": error},
        status=status,
    )


@login_required
@require_GET
def urge_pdf(request: HttpRequest, urge_id: int) -> HttpResponse:
    pdf, name = _guard(notice.urge_pdf, principal=principal_for_request(request), urge_id=urge_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
