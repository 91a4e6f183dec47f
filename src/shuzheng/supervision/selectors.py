"""Reads of 督查督办, always scoped to the caller.

- **lead office and leaders** (``OFFICE_ROLES`` in a department of
  ``settings.SUPERVISION_OFFICE_DEPARTMENTS``, default the 市政数局 441200-ZSJ, and platform
  administrators): every plan and task;
- **a department**: staff of a department that leads or shares a task → that task.

Anyone else: 403 on lists, 404 on a task they cannot see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from shuzheng.core import calendar, lifecycle
from shuzheng.core.errors import Forbidden, NotFound, Unauthenticated
from shuzheng.documents.facade import RelatedItem
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.supervision import planparse
from shuzheng.supervision.models import Plan, Report, Task, TaskStatus, Urge
from shuzheng.supervision.transitions import OFFICE, OWNER, TASK_LIFECYCLE

OFFICE_ROLES = ("department_head", "platform_admin")
YELLOW_DAYS, RED_DAYS = 20, 5  # working days before the due date
LAG = 0.25  # a target this far behind the share of time spent: lagging (yellow)


def office_departments() -> tuple[str, ...]:
    return tuple(getattr(settings, "SUPERVISION_OFFICE_DEPARTMENTS", ("441200-ZSJ",)))


@dataclass(frozen=True)
class Scope:
    all: bool = False
    departments: frozenset[str] = frozenset()

    @property
    def any(self) -> bool:
        return self.all or bool(self.departments)


def scope_of(principal: Principal) -> Scope:
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind != "staff":
        return Scope()
    if principal.is_superuser or principal.is_platform_admin:
        return Scope(all=True)
    if any(principal.has_role(r, d) for r in OFFICE_ROLES for d in office_departments()):
        return Scope(all=True)
    return Scope(departments=frozenset(principal.departments))


def require_scope(principal: Principal) -> Scope:
    scope = scope_of(principal)
    if not scope.any:
        raise Forbidden("无权查看督查督办任务。")
    return scope


def require_office(principal: Principal) -> Scope:
    scope = scope_of(principal)
    if not scope.all:
        raise Forbidden("只有牵头办（市政数局）可以导入工作计划。")
    return scope


def roles_on_task(principal: Principal, task: Task) -> list[str]:
    scope = scope_of(principal)
    roles = []
    if scope.all:
        roles.append(OFFICE)
    if scope.departments.intersection(task.lead_departments):
        roles.append(OWNER)
    return roles


def visible(scope: Scope, task: Task) -> bool:
    return scope.all or bool(scope.departments.intersection(task.lead_departments))


def task_for(principal: Principal, task_id: int, *, lock: bool = False) -> Task:
    scope = require_scope(principal)
    qs = Task.objects.select_related("plan")
    if lock:
        qs = qs.select_for_update()
    task = qs.filter(pk=task_id).first()
    if task is None or not visible(scope, task):
        raise NotFound("未找到该督办任务。")
    return task


def progress_of(task: Task) -> float | None:
    """The share of its targets a task has reached (0–1, each target capped at 1), None when it
    has no targets."""
    targets = list(task.targets.all())
    if not targets:
        return None
    shares = [min(1.0, (t.current or 0) / t.value) if t.value else 1.0 for t in targets]
    return sum(shares) / len(shares)


def level_of(task: Task, today: dt.date, cal: Any = None) -> str:
    """green / yellow / red: red when overdue or within RED_DAYS working days of the due date,
    yellow within YELLOW_DAYS or when its targets lag behind the time spent."""
    if task.status == TaskStatus.DONE:
        return "green"
    warn = lifecycle.warning_level(
        today, task.due_date, yellow_days=YELLOW_DAYS, red_days=RED_DAYS, cal=cal
    )
    if warn in (lifecycle.OVERDUE, lifecycle.RED):
        return "red"
    if warn == lifecycle.YELLOW:
        return "yellow"
    progress = progress_of(task)
    start = dt.date(task.plan.year, 1, 1)
    span = max(1, (task.due_date - start).days)
    spent = min(1.0, max(0.0, (today - start).days / span))
    if progress is not None and progress + LAG < spent:
        return "yellow"
    return "green"


LEVEL_LABELS = {
    "green": "正常推进",
    "yellow": "黄色预警（临近时限或进度滞后）",
    "red": "红色预警（逾期或即将逾期）",
}


def path_label(path: list[str]) -> str:
    out = ""
    for i, p in enumerate(path):
        if not p:
            continue
        out += f"{p}、" if i == 0 else (p if p.startswith("(") else f"{p}.")
    return out


def dept_names() -> dict[str, str]:
    return identity.department_names()


def task_dict(task: Task, principal: Principal, today: dt.date, cal: Any = None) -> dict[str, Any]:
    names = dept_names()
    roles = roles_on_task(principal, task)
    level = level_of(task, today, cal)
    progress = progress_of(task)
    return {
        "id": task.pk,
        "plan_id": task.plan_id,
        "plan_title": task.plan.title,
        "path": task.path,
        "path_label": path_label(task.path),
        "title": task.title,
        "text": task.text,
        "lead_departments": [{"code": c, "name": names.get(c, c)} for c in task.lead_departments],
        "lead_text": task.lead_text,
        "due_date": task.due_date,
        "status": task.status,
        "status_label": str(TaskStatus(task.status).label),
        "level": level,
        "level_label": LEVEL_LABELS[level],
        "progress": None if progress is None else round(progress, 4),
        "targets": [
            {"id": t.pk, "text": t.text, "value": t.value, "unit": t.unit, "current": t.current}
            for t in task.targets.all()
        ],
        "allowed_actions": TASK_LIFECYCLE.allowed(task.status, roles, task),
    }


def tasks_list(
    *,
    principal: Principal,
    department: str = "",
    level: str = "",
    plan: int | None = None,
    q: str = "",
) -> list[dict[str, Any]]:
    scope = require_scope(principal)
    qs = Task.objects.select_related("plan").prefetch_related("targets")
    if plan:
        qs = qs.filter(plan_id=plan)
    if q:
        qs = qs.filter(title__icontains=q) | qs.filter(text__icontains=q)
    today = timezone.localdate()
    cal = calendar.snapshot()
    out = []
    for t in qs.order_by("plan_id", "order").distinct():
        if not visible(scope, t):
            continue
        if department and department not in t.lead_departments:
            continue
        d = task_dict(t, principal, today, cal)
        if level and d["level"] != level:
            continue
        out.append(d)
    return out


def reports_of(task: Task) -> list[Report]:
    return list(task.reports.all())


def urges_of(task: Task) -> list[Urge]:
    return list(task.urges.all())


def urge_for(principal: Principal, urge_id: int) -> Urge:
    scope = require_scope(principal)
    urge = Urge.objects.select_related("task__plan").filter(pk=urge_id).first()
    if urge is None or not visible(scope, urge.task):
        raise NotFound("未找到该督办通知。")
    return urge


def plans_list(principal: Principal) -> list[Plan]:
    require_scope(principal)
    return list(Plan.objects.order_by("-year", "-id"))


def scores(*, principal: Principal) -> list[dict[str, Any]]:
    """Per lead department: tasks, completed, overdue, target progress and a score (0–100):
    60 × completion rate + 40 × average target progress − 5 per overdue task."""
    scope = require_scope(principal)
    today = timezone.localdate()
    per: dict[str, dict[str, Any]] = {}
    for t in Task.objects.select_related("plan").prefetch_related("targets"):
        for code in t.lead_departments:
            if not (scope.all or code in scope.departments):
                continue
            row = per.setdefault(code, {"tasks": 0, "done": 0, "overdue": 0, "progress": []})
            row["tasks"] += 1
            row["done"] += t.status == TaskStatus.DONE
            row["overdue"] += t.status != TaskStatus.DONE and today > t.due_date
            p = progress_of(t)
            if p is not None:
                row["progress"].append(p)
    names = dept_names()
    out = []
    for code, r in sorted(per.items()):
        rate = r["done"] / r["tasks"]
        avg = sum(r["progress"]) / len(r["progress"]) if r["progress"] else rate
        score = max(0.0, min(100.0, 60 * rate + 40 * avg - 5 * r["overdue"]))
        out.append(
            {
                "department": code,
                "department_name": names.get(code, code),
                "tasks": r["tasks"],
                "completed": r["done"],
                "overdue": r["overdue"],
                "completion_rate": round(rate, 4),
                "target_progress": round(avg, 4),
                "score": round(score, 1),
            }
        )
    return out


def related_tasks(principal: Principal, title: str, words: str) -> list[RelatedItem]:
    """The tasks of the plan a 公文 is (its title, or the plan its 印发 notice names) that mention
    ``words`` (all of them when empty), for the caller: the documents registry's provider."""
    try:
        scope = scope_of(principal)
    except Unauthenticated:
        return []
    if not scope.any or not title:
        return []
    key = planparse.simplified(title)
    plans = [p for p in Plan.objects.all() if planparse.simplified(p.title) in key]
    if not plans:
        return []
    qs = Task.objects.filter(plan__in=plans).select_related("plan").order_by("plan_id", "order")
    out = []
    for t in qs:
        if words and words not in planparse.simplified(t.text):
            continue
        if not visible(scope, t):
            continue
        out.append(
            RelatedItem(
                kind="supervision_task",
                label="督办任务",
                title=f"{path_label(t.path)}{t.title}",
                url=f"/supervision/tasks/{t.pk}/",
            )
        )
        if len(out) >= 10:
            break
    return out


def latest_reports(task_ids: list[int]) -> dict[int, Report]:
    """{task id: its latest progress report} for the board's export and print view."""
    out: dict[int, Report] = {}
    for r in Report.objects.filter(task_id__in=task_ids).order_by("task_id", "-reported_at", "-id"):
        out.setdefault(r.task_id, r)
    return out
