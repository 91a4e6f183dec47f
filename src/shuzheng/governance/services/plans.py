"""预案: starting a response plan for an alert or a major event (the listed departments told in
their inbox and by SMS to their duty phone, the checklist copied from the plan), checking off a
step (its department, or the center), ending the response (the center). Every change audited in
its transaction; inbox messages and SMS go out only if it commits.

``start_plan_for_alert(alert, actor)`` and ``start_plan_for_event(event, actor)`` are what the
rest of the module calls (an escalated major event, an alert on the dashboard); ``plan_start``
is the checked entry of the API and the pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from shuzheng.core.sms import send_sms_after_commit, signed
from shuzheng.governance.models import (
    Alert,
    Level,
    Plan,
    PlanKind,
    PlanRun,
    RunStatus,
    RunStep,
)
from shuzheng.governance.selectors.access import require_scope, scope_of
from shuzheng.governance.selectors.indicators import district_label
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.notify import facade as notify

LEVEL_WORDS = {1: "Ⅰ级", 2: "Ⅱ级", 3: "Ⅲ级", 4: "Ⅳ级"}


# --- who may do what -----------------------------------------------------------------------


def is_center(principal: Principal) -> bool:
    """The 城市运行管理中心 and leaders (staff who see everything): start and end responses."""
    if not principal.is_authenticated or principal.kind != "staff":
        return False
    return scope_of(principal).all


def runs_q(principal: Principal) -> Q:
    """Runs the caller sees: the center all; a department the runs in which it owns a step."""
    if is_center(principal):
        return Q()
    if principal.kind != "staff" or not principal.departments:
        return Q(pk__in=[])
    return Q(
        pk__in=RunStep.objects.filter(department__in=sorted(principal.departments)).values("run_id")
    )


def require_run_reader(principal: Principal) -> None:
    """Staff of the center or of a department; anyone else 403 (lists) — objects answer 404."""
    if not principal.is_authenticated:
        require_scope(principal)  # raises Unauthenticated
    if principal.kind != "staff" or not (is_center(principal) or principal.departments):
        raise Forbidden("无权查看应急预案。")


def may_check(principal: Principal, step: RunStep) -> bool:
    return is_center(principal) or (
        principal.kind == "staff" and step.department in principal.departments
    )


# --- choosing a plan -------------------------------------------------------------------------


def plan_for_alert(alert: Alert) -> Plan | None:
    """The plan tied to the alert's indicator: for a red alert the most severe level, for a
    yellow one the least."""
    plans = Plan.objects.filter(active=True, indicator_id=alert.indicator_id)
    return plans.order_by("level" if alert.level == Level.RED else "-level", "code").first()


def plan_for_event(event: Any) -> Plan | None:
    """An 应急 plan of the event's level (1–4); else the nearest less severe 应急 plan."""
    level = int(getattr(event, "level", 0) or 4)
    plans = Plan.objects.filter(active=True, kind=PlanKind.EMERGENCY)
    return (
        plans.filter(level=level).order_by("code").first()
        or plans.filter(level__gt=level).order_by("level", "code").first()
        or plans.order_by("-level", "code").first()
    )


# --- starting --------------------------------------------------------------------------------


def _snap(run: PlanRun) -> dict[str, Any]:
    return {
        "plan": run.plan.code,
        "level": run.level,
        "alert": run.alert_id,
        "event_no": run.event_no,
        "status": run.status,
        "departments": run.departments,
    }


def _start(
    plan: Plan,
    *,
    actor: str,
    reason: str,
    alert: Alert | None = None,
    event_no: str = "",
    now: dt.datetime | None = None,
) -> PlanRun:
    now = now or timezone.now()
    with transaction.atomic():
        Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one start at a time
        same = PlanRun.objects.filter(plan=plan, status=RunStatus.ACTIVE)
        same = same.filter(alert=alert) if alert is not None else same.filter(event_no=event_no)
        running = same.first()
        if running is not None:
            since = timezone.localtime(running.started_at)
            raise Conflict(
                f"「{plan.name}」已为此启动（{since:%m-%d %H:%M}），正在响应中。",
                extra={"allowed_actions": [], "run_id": running.pk},
            )
        depts = list(plan.departments.all())
        run = PlanRun.objects.create(
            plan=plan,
            level=plan.level,
            alert=alert,
            event_no=event_no,
            reason=reason[:500],
            started_at=now,
            started_by=actor,
            departments=[d.department for d in depts],
        )
        steps = RunStep.objects.bulk_create(
            [
                RunStep(run=run, order=s.order, title=s.title, department=s.department)
                for s in plan.steps.all()
            ]
        )
        title = f"启动{plan.name}（{LEVEL_WORDS.get(plan.level, '')}响应）"
        names = identity.department_names()
        for d in depts:
            own = [s.title for s in steps if s.department == d.department]
            body = f"{reason}。" + (f"本部门职责：{d.duty}。" if d.duty else "")
            if own:
                body += "请完成并在数政确认：" + "；".join(own) + "。"
            notify.send(
                recipient_kind="department",
                recipient_id=d.department,
                title=title,
                body=body,
                link=f"/city/plans/runs/{run.pk}/",
                sms=False,
            )
            if d.duty_phone:
                send_sms_after_commit(
                    d.duty_phone,
                    signed(f"{names.get(d.department, '')}：{title}。{body}"),
                )
        audit.record(
            actor=actor,
            action="city.plan_started",
            object_type="governance.plan_run",
            object_id=str(run.pk),
            after=_snap(run) | {"steps": len(steps), "reason": run.reason},
        )
    return run


def start_plan_for_alert(
    alert: Alert, actor: str, *, plan: Plan | None = None, reason: str = ""
) -> PlanRun:
    """Start ``plan`` (default: the alert indicator's plan) for an alert; 409 when it runs."""
    plan = plan or plan_for_alert(alert)
    if plan is None:
        raise ValidationFailed.one("plan", "该指标没有关联的预案，请选择要启动的预案")
    ind = alert.indicator
    reason = reason or (
        f"{district_label(alert.district)}{ind.name} {alert.value:g}{ind.unit}，"
        f"{alert.get_level_display()}"
    )
    return _start(plan, actor=actor, reason=reason, alert=alert)


def start_plan_for_event(
    event: Any, actor: str, *, plan: Plan | None = None, reason: str = ""
) -> PlanRun:
    """Start ``plan`` (default: the 应急 plan of the event's level) for a major event (any
    object with ``event_no``, ``level`` and ``description``, e.g. ``CityEvent``)."""
    plan = plan or plan_for_event(event)
    if plan is None:
        raise ValidationFailed.one("plan", "没有可启动的应急预案，请先在管理后台配置")
    event_no = str(getattr(event, "event_no", ""))
    level = int(getattr(event, "level", 0) or 0)
    desc = str(getattr(event, "description", ""))[:80]
    reason = reason or (f"{LEVEL_WORDS.get(level, '')}重大事件 {event_no}：{desc}").strip()
    return _start(plan, actor=actor, reason=reason, event_no=event_no)


def _event(event_no: str) -> Any:
    try:
        from shuzheng.governance.models import events as event_models
    except ImportError:  # the events topic is not there yet
        return None
    model = getattr(event_models, "CityEvent", None)
    return model.objects.filter(event_no=event_no).first() if model is not None else None


def plan_start(
    *,
    principal: Principal,
    plan: str,
    alert: int | None = None,
    event_no: str = "",
    reason: str = "",
) -> PlanRun:
    """The center starts a plan for an alert or an event: bad input → 422 naming the field."""
    require_scope(principal)
    if not is_center(principal):
        raise Forbidden("只有城市运行管理中心可以启动预案。")
    errors: dict[str, str] = {}
    chosen = Plan.objects.filter(code=plan or "").first() if plan else None
    if plan and (chosen is None or not chosen.active):
        errors["plan"] = "没有这个预案，或预案已停用"
    found_alert = None
    found_event = None
    if alert is None and not event_no:
        errors["alert"] = "请指明启动预案的预警（alert）或事件（event_no）"
    elif alert is not None and event_no:
        errors["event_no"] = "预警和事件只能指明一个"
    elif alert is not None:
        found_alert = Alert.objects.select_related("indicator").filter(pk=alert).first()
        if found_alert is None:
            errors["alert"] = "没有这个预警"
    else:
        found_event = _event(event_no)
        if found_event is None:
            errors["event_no"] = "没有这个事件编号"
    if len(reason) > 500:
        errors["reason"] = "启动原因不能超过 500 个字"
    if found_alert is not None and not plan and plan_for_alert(found_alert) is None:
        errors["plan"] = "该指标没有关联的预案，请选择要启动的预案"
    if errors:
        raise ValidationFailed([FieldError(k, v) for k, v in errors.items()])
    if found_alert is not None:
        return start_plan_for_alert(found_alert, principal.actor, plan=chosen, reason=reason)
    return start_plan_for_event(found_event, principal.actor, plan=chosen, reason=reason)


# --- the checklist and the end -------------------------------------------------------------


def _run_for(principal: Principal, run_id: int) -> PlanRun:
    require_run_reader(principal)
    run = (
        PlanRun.objects.select_for_update()
        .select_related("plan")
        .filter(runs_q(principal), pk=run_id)
        .first()
    )
    if run is None:
        raise NotFound("未找到该预案启动记录。")
    return run


def step_check(
    *,
    principal: Principal,
    run_id: int,
    step_id: int,
    note: str = "",
    now: dt.datetime | None = None,
) -> PlanRun:
    """The step's department (or the center) checks a step off; 409 when done or ended."""
    now = now or timezone.now()
    with transaction.atomic():
        run = _run_for(principal, run_id)
        step = RunStep.objects.select_for_update().filter(run=run, pk=step_id).first()
        if step is None:
            raise NotFound("未找到该处置步骤。")
        if len(note) > 500:
            raise ValidationFailed.one("note", "完成情况不能超过 500 个字")
        if not may_check(principal, step):
            raise Forbidden("只有该步骤的责任部门可以确认完成。")
        if run.status != RunStatus.ACTIVE:
            raise Conflict("预案响应已终止，不能再确认步骤。", extra={"allowed_actions": []})
        if step.done_at is not None:
            raise Conflict("该步骤已确认完成。", extra={"allowed_actions": []})
        step.done_at, step.done_by, step.note = now, principal.actor, note
        step.save(update_fields=["done_at", "done_by", "note"])
        audit.record(
            actor=principal.actor,
            action="city.plan_step_done",
            object_type="governance.plan_run",
            object_id=str(run.pk),
            before={"step": step.pk, "done": False},
            after={"step": step.pk, "done": True, "title": step.title, "note": note},
        )
    return run


def run_close(
    *, principal: Principal, run_id: int, note: str = "", now: dt.datetime | None = None
) -> PlanRun:
    """The center ends the response (终止响应); 409 when already ended."""
    now = now or timezone.now()
    with transaction.atomic():
        run = _run_for(principal, run_id)
        if not is_center(principal):
            raise Forbidden("只有城市运行管理中心可以终止预案响应。")
        if len(note) > 500:
            raise ValidationFailed.one("note", "终止说明不能超过 500 个字")
        if run.status != RunStatus.ACTIVE:
            raise Conflict("预案响应已终止。", extra={"allowed_actions": []})
        before = _snap(run)
        run.status, run.closed_at, run.closed_by, run.close_note = (
            RunStatus.CLOSED,
            now,
            principal.actor,
            note,
        )
        run.save(update_fields=["status", "closed_at", "closed_by", "close_note"])
        audit.record(
            actor=principal.actor,
            action="city.plan_closed",
            object_type="governance.plan_run",
            object_id=str(run.pk),
            before=before,
            after=_snap(run) | {"note": note},
        )
    return run
