"""预案 as the dashboard, the pages and the API show them: plans (definitions) and their runs
(progress of the checklist), scoped to the caller (``services.plans.runs_q``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from shuzheng.core.errors import NotFound, ValidationFailed
from shuzheng.governance.models import Plan, PlanRun, RunStatus, RunStep
from shuzheng.governance.selectors.indicators import district_label
from shuzheng.governance.services.plans import is_center, require_run_reader, runs_q
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal


def plan_info(plan: Plan, names: dict[str, str]) -> dict[str, Any]:
    return {
        "code": plan.code,
        "name": plan.name,
        "kind": plan.kind,
        "kind_label": str(plan.get_kind_display()),
        "level": plan.level,
        "level_label": str(plan.get_level_display()),
        "indicator": plan.indicator.code if plan.indicator else "",
        "description": plan.description,
        "departments": [
            {
                "department": d.department,
                "department_name": names.get(d.department, d.department),
                "duty": d.duty,
            }
            for d in plan.departments.all()
        ],
        "steps": [
            {
                "order": s.order,
                "title": s.title,
                "department": s.department,
                "department_name": names.get(s.department, s.department),
            }
            for s in plan.steps.all()
        ],
    }


def plans_list(*, principal: Principal) -> list[dict[str, Any]]:
    """The active plans (staff of the center or a department)."""
    require_run_reader(principal)
    names = identity.department_names()
    qs = Plan.objects.filter(active=True).select_related("indicator")
    return [plan_info(p, names) for p in qs.prefetch_related("departments", "steps")]


def run_info(run: PlanRun, principal: Principal, names: dict[str, str]) -> dict[str, Any]:
    steps = list(run.steps.all())
    done = sum(1 for s in steps if s.done_at is not None)
    active = run.status == RunStatus.ACTIVE
    center = is_center(principal)
    mine = set(principal.departments) if principal.kind == "staff" else set()
    alert = run.alert
    return {
        "id": run.pk,
        "plan": run.plan.code,
        "plan_name": run.plan.name,
        "kind_label": str(run.plan.get_kind_display()),
        "level": run.level,
        "level_label": str(run.get_level_display()),
        "alert": run.alert_id,
        "alert_text": (
            f"{district_label(alert.district)}{alert.indicator.name}"
            f" {alert.value:g}{alert.indicator.unit}（{alert.get_level_display()}）"
            if alert is not None
            else ""
        ),
        "event_no": run.event_no,
        "reason": run.reason,
        "status": run.status,
        "status_label": str(run.get_status_display()),
        "started_at": run.started_at,
        "closed_at": run.closed_at,
        "close_note": run.close_note,
        "departments": [
            {"department": d, "department_name": names.get(d, d)} for d in run.departments
        ],
        "steps": [
            {
                "id": s.pk,
                "order": s.order,
                "title": s.title,
                "department": s.department,
                "department_name": names.get(s.department, s.department),
                "done": s.done_at is not None,
                "done_at": s.done_at,
                "note": s.note,
                "may_check": active and s.done_at is None and (center or s.department in mine),
            }
            for s in steps
        ],
        "done": done,
        "total": len(steps),
        "percent": round(100 * done / len(steps)) if steps else 100,
        "allowed_actions": ["close"] if active and center else [],
    }


def _runs(principal: Principal) -> Any:
    return (
        PlanRun.objects.filter(runs_q(principal))
        .select_related("plan", "alert", "alert__indicator")
        .prefetch_related(Prefetch("steps", queryset=RunStep.objects.order_by("order", "id")))
    )


def runs_list(
    *, principal: Principal, status: str = "", limit: int = 50, offset: int = 0
) -> tuple[int, list[dict[str, Any]]]:
    require_run_reader(principal)
    qs = _runs(principal)
    if status:
        if status not in RunStatus.values:
            raise ValidationFailed.one("status", "状态只能是 active（响应中）或 closed（已终止）")
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 200))
    names = identity.department_names()
    total = qs.count()
    rows = qs.order_by("-started_at", "-id")[offset : offset + limit]
    return total, [run_info(r, principal, names) for r in rows]


def run_get(*, principal: Principal, run_id: int) -> dict[str, Any]:
    require_run_reader(principal)
    run = _runs(principal).filter(pk=run_id).first()
    if run is None:
        raise NotFound("未找到该预案启动记录。")
    return run_info(run, principal, identity.department_names())
