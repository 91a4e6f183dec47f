"""Writes of 督查督办: import a plan's register, progress reports and their review, completion,
督办通知 and replies. Each in one transaction with its audit record; departments told after
commit. Bad input → ``ValidationFailed`` naming the field, nothing stored; an action the task's
state does not allow → 409 with the allowed actions (``transitions.TASK_LIFECYCLE``)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import calendar
from shuzheng.core.errors import Conflict, FieldError, ValidationFailed
from shuzheng.core.zhdate import zh_date
from shuzheng.documents.facade import text_of
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.notify import facade as notify
from shuzheng.supervision import planparse, selectors
from shuzheng.supervision.models import Plan, Reminder, Report, Target, Task, TaskStatus, Urge
from shuzheng.supervision.transitions import TASK_LIFECYCLE

URGE_REPLY_DAYS = 5  # working days to answer a 督办通知
MAX_TASKS = 500


def _departments() -> list[tuple[str, str, str]]:
    return [(d.code, d.name, "") for d in identity.departments()]


def _region_prefix(text: str) -> str:
    head = planparse.simplified(text[:2000])
    return "441200" if "肇庆" in head else "440000" if "广东省" in head else ""


def plan_preview(*, principal: Principal, name: str, data: bytes) -> dict[str, Any]:
    """The proposed register of an uploaded plan; stores nothing."""
    selectors.require_office(principal)
    text = text_of(field="file", name=name, data=data)
    plan = planparse.parse_plan(text)
    if not plan.tasks:
        raise ValidationFailed.one(
            "file", "文件中没有找到编号的任务（如“（一）”“1.”），不是工作计划。"
        )
    depts = _departments()
    prefix = _region_prefix(text)
    tasks = []
    for t in plan.tasks:
        tasks.append(
            {
                "path": t.path,
                "title": t.title,
                "lead_departments": t.lead_departments,
                "lead_department_codes": [
                    planparse.match_department(n, depts, prefix) for n in t.lead_departments
                ],
                "lead_text": t.lead_text,
                "targets": [asdict(x) for x in t.targets],
                "deadline": t.deadline,
                "text": t.text,
            }
        )
    return {"title": plan.title, "year": plan.year, "tasks": tasks}


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        f = float(value)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _clean_tasks(raw: Any, year: int) -> tuple[list[dict[str, Any]], list[FieldError]]:
    errors: list[FieldError] = []
    if not isinstance(raw, list) or not raw:
        return [], [FieldError("tasks", "至少要有一项任务。")]
    if len(raw) > MAX_TASKS:
        return [], [FieldError("tasks", f"一次最多 {MAX_TASKS} 项任务。")]
    depts = identity.departments()
    known = {d.code for d in depts}
    by_name = {d.name: d.code for d in depts}  # the review page sends names
    out = []
    for i, t in enumerate(raw):
        f = f"tasks[{i}]"
        n = f"第 {i + 1} 项任务"
        if not isinstance(t, dict):
            errors.append(FieldError(f, f"{n}格式不对。"))
            continue
        path = t.get("path")
        if not isinstance(path, list) or not path or not all(isinstance(p, str) for p in path):
            errors.append(FieldError(f"{f}.path", f'{n}：编号应为文字列表，如 ["二", "(五)"]。'))
        title = str(t.get("title") or "").strip()
        if not title or len(title) > 200:
            errors.append(FieldError(f"{f}.title", f"{n}：任务名称不能为空，且不超过 200 字。"))
        leads = t.get("lead_departments")
        if not isinstance(leads, list) or not leads:
            errors.append(FieldError(f"{f}.lead_departments", f"{n}：请指定至少一个牵头单位。"))
            leads = []
        leads = [by_name.get(str(x).strip(), str(x).strip()) for x in leads]
        for code in leads:
            if code not in known:
                errors.append(
                    FieldError(
                        f"{f}.lead_departments", f"{n}：没有“{code}”这个部门，请从部门列表中选择。"
                    )
                )
        targets = []
        for j, x in enumerate(t.get("targets") or []):
            ff = f"{f}.targets[{j}]"
            if not isinstance(x, dict):
                errors.append(FieldError(ff, f"{n}的第 {j + 1} 个指标格式不对。"))
                continue
            value = _num(x.get("value"))
            unit = str(x.get("unit") or "").strip()
            text = str(x.get("text") or "").strip()
            if value is None or value < 0:
                errors.append(
                    FieldError(f"{ff}.value", f"{n}的第 {j + 1} 个指标：目标值应为非负数。")
                )
            if not unit or len(unit) > 16:
                errors.append(FieldError(f"{ff}.unit", f"{n}的第 {j + 1} 个指标：请填写单位。"))
            if not text or len(text) > 200:
                errors.append(FieldError(f"{ff}.text", f"{n}的第 {j + 1} 个指标：请填写指标内容。"))
            targets.append({"text": text, "value": value, "unit": unit})
        deadline = t.get("deadline")
        due: dt.date | None = None
        if deadline:
            try:
                due = dt.date.fromisoformat(str(deadline))
            except ValueError:
                errors.append(
                    FieldError(f"{f}.deadline", f"{n}：完成时限应为日期，如 {year}-12-31。")
                )
        out.append(
            {
                "path": path,
                "title": title,
                "text": str(t.get("text") or "")[:5000],
                "lead_text": str(t.get("lead_text") or "")[:300],
                "lead_departments": list(dict.fromkeys(leads)),
                "targets": targets,
                "due": due or dt.date(year, 12, 31),
                "stated": due is not None,
            }
        )
    return out, errors


def plan_confirm(
    *,
    principal: Principal,
    title: str,
    year: Any,
    tasks: Any,
    doc_number: str = "",
    issuer: str = "",
    now: dt.datetime | None = None,
) -> Plan:
    """The reviewed proposal becomes the register: all or nothing, one audit record."""
    selectors.require_office(principal)
    errors: list[FieldError] = []
    title = (title or "").strip()
    if not title or len(title) > 200:
        errors.append(FieldError("title", "请填写工作计划的标题（不超过 200 字）。"))
    y = _num(year)
    if y is None or not y.is_integer() or not 2000 <= y <= 2100:
        errors.append(FieldError("year", "年度应为四位数年份，如 2022。"))
        y = 2000
    cleaned, task_errors = _clean_tasks(tasks, int(y))
    errors += task_errors
    if errors:
        raise ValidationFailed(errors[:20])
    now = now or timezone.now()
    with transaction.atomic():
        plan = Plan.objects.create(
            title=title,
            doc_number=(doc_number or "")[:64],
            issuer=(issuer or "")[:100],
            year=int(y),
            created_by=principal.actor,
            created_at=now,
        )
        for order, t in enumerate(cleaned):
            task = Task.objects.create(
                plan=plan,
                order=order,
                path=t["path"],
                title=t["title"],
                text=t["text"],
                lead_departments=t["lead_departments"],
                lead_text=t["lead_text"],
                due_date=t["due"],
                deadline_stated=t["stated"],
            )
            Target.objects.bulk_create([Target(task=task, **x) for x in t["targets"]])
        audit.record(
            actor=principal.actor,
            action="supervision.plan_imported",
            object_type="supervision_plan",
            object_id=str(plan.pk),
            after={"title": plan.title, "year": plan.year, "tasks": len(cleaned)},
        )
    return plan


def _require(task: Task, action: str, principal: Principal) -> None:
    roles = selectors.roles_on_task(principal, task)
    allowed = TASK_LIFECYCLE.allowed(task.status, roles, task)
    if action not in allowed:
        state = TaskStatus(task.status).label
        raise Conflict(
            f"任务当前为“{state}”，不能{TASK_LIFECYCLE.label(action)}。",
            {"allowed_actions": allowed},
        )


def _tell(departments: list[str], title: str, body: str, link: str) -> None:
    def send() -> None:
        with transaction.atomic():
            for dept in departments:
                notify.send(
                    recipient_kind="department",
                    recipient_id=dept,
                    title=title,
                    body=body,
                    link=link,
                    sms=False,
                )

    transaction.on_commit(send)


def report_submit(
    *,
    principal: Principal,
    task_id: int,
    note: str,
    figures: Any,
    evidence: list[tuple[str, bytes]] | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """A lead department's progress report: a figure against each target it names, evidence
    files (PDF/PNG/JPEG, through ``files``). The figures become the targets' current values."""
    task = selectors.task_for(principal, task_id)
    _require(task, "report", principal)
    targets = {t.pk: t for t in task.targets.all()}
    errors: list[FieldError] = []
    note = (note or "").strip()
    if not note or len(note) > 2000:
        errors.append(FieldError("note", "请填写进展情况（不超过 2000 字）。"))
    if not isinstance(figures, list):
        errors.append(FieldError("figures", "指标数值应为列表。"))
        figures = []
    clean: list[dict[str, Any]] = []
    for i, fig in enumerate(figures):
        f = f"figures[{i}]"
        if not isinstance(fig, dict):
            errors.append(FieldError(f, f"第 {i + 1} 个指标数值格式不对。"))
            continue
        target = targets.get(fig.get("target"))  # type: ignore[arg-type]
        if target is None:
            errors.append(FieldError(f"{f}.target", f"第 {i + 1} 个数值：该任务没有这一指标。"))
            continue
        value = _num(fig.get("value"))
        if value is None or value < 0:
            errors.append(
                FieldError(f"{f}.value", f"第 {i + 1} 个数值（{target.text}）应为非负数。")
            )
            continue
        unit = str(fig.get("unit") or target.unit).strip()
        if unit != target.unit:
            errors.append(
                FieldError(
                    f"{f}.unit", f"第 {i + 1} 个数值的单位应为“{target.unit}”，不是“{unit}”。"
                )
            )
            continue
        clean.append({"target": target.pk, "value": value, "unit": unit})
    if len({c["target"] for c in clean}) != len(clean):
        errors.append(FieldError("figures", "同一指标只能填一个数值。"))
    if errors:
        raise ValidationFailed(errors[:20])
    from shuzheng.files import facade as files

    stored = []
    for name, data in evidence or []:
        info = files.file_store(actor=principal.actor, name=name, data=data)
        stored.append({"file_id": info.file_id, "name": info.name, "sha256": info.sha256})
    mine = sorted(set(principal.departments).intersection(task.lead_departments))
    with transaction.atomic():
        task = selectors.task_for(principal, task_id, lock=True)
        _require(task, "report", principal)
        before = task.status
        report = Report.objects.create(
            task=task,
            department=mine[0] if mine else "",
            note=note,
            figures=clean,
            evidence=stored,
            reported_by=principal.actor,
            reported_at=now or timezone.now(),
        )
        for c in clean:
            Target.objects.filter(pk=c["target"]).update(current=c["value"])
        task.status = TaskStatus.REPORTED
        task.save(update_fields=["status"])
        audit.record(
            actor=principal.actor,
            action="supervision.report_submitted",
            object_type="supervision_task",
            object_id=str(task.pk),
            before={"status": before},
            after={
                "status": task.status,
                "report": report.pk,
                "figures": clean,
                "evidence": [s["sha256"] for s in stored],
            },
        )
    return report


def task_act(
    *,
    principal: Principal,
    task_id: int,
    action: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Task:
    """accept / return (the latest report), complete, reopen — the lead office's actions."""
    selectors.task_for(principal, task_id)  # who may not see it learns nothing more
    if action not in ("accept", "return", "complete", "reopen"):
        raise ValidationFailed.one("action", "操作应为 accept、return、complete 或 reopen 之一。")
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationFailed.one("note", "审核意见不超过 500 字。")
    if action == "return" and not note:
        raise ValidationFailed.one("note", "退回时请写明理由。")
    with transaction.atomic():
        task = selectors.task_for(principal, task_id, lock=True)
        _require(task, action, principal)
        before = task.status
        t = TASK_LIFECYCLE[action]
        task.status = t.target or task.status
        task.completed_at = (now or timezone.now()) if task.status == TaskStatus.DONE else None
        task.save(update_fields=["status", "completed_at"])
        if action in ("accept", "return"):
            report = task.reports.filter(review="").first()
            if report is not None:
                report.review = "accepted" if action == "accept" else "returned"
                report.review_note = note
                report.save(update_fields=["review", "review_note"])
        audit.record(
            actor=principal.actor,
            action=f"supervision.task_{action}",
            object_type="supervision_task",
            object_id=str(task.pk),
            before={"status": before},
            after={"status": task.status, "note": note},
        )
    if action == "return":
        _tell(
            task.lead_departments,
            f"进展报告被退回：{task.title}",
            note,
            f"/supervision/tasks/{task.pk}/",
        )
    return task


def urge_issue(
    *, principal: Principal, task_id: int, body: str, now: dt.datetime | None = None
) -> Urge:
    """督办通知 to the task's lead departments; reply due in URGE_REPLY_DAYS working days."""
    selectors.task_for(principal, task_id)
    body = (body or "").strip()
    if not body or len(body) > 2000:
        raise ValidationFailed.one("body", "请填写督办事项（不超过 2000 字）。")
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    with transaction.atomic():
        task = selectors.task_for(principal, task_id, lock=True)
        _require(task, "urge", principal)
        seq = Urge.objects.filter(issued_at__year=today.year).count() + 1
        urge = Urge.objects.create(
            task=task,
            department=",".join(task.lead_departments),
            doc_number=f"肇政数督〔{today.year}〕{seq}号",
            body=body,
            issued_by=principal.actor,
            issued_at=now,
            reply_due=calendar.add_working_days(today, URGE_REPLY_DAYS),
        )
        audit.record(
            actor=principal.actor,
            action="supervision.urge_issued",
            object_type="supervision_task",
            object_id=str(task.pk),
            after={
                "urge": urge.pk,
                "doc_number": urge.doc_number,
                "reply_due": urge.reply_due.isoformat(),
            },
        )
    _tell(
        task.lead_departments,
        f"督办通知 {urge.doc_number}：{task.title}",
        f"{body}（请于 {zh_date(urge.reply_due)} 前回复）",
        f"/supervision/tasks/{task.pk}/",
    )
    return urge


def urge_answer(
    *, principal: Principal, urge_id: int, reply: str, now: dt.datetime | None = None
) -> Urge:
    selectors.urge_for(principal, urge_id)
    reply = (reply or "").strip()
    if not reply or len(reply) > 2000:
        raise ValidationFailed.one("reply", "请填写回复内容（不超过 2000 字）。")
    with transaction.atomic():
        urge = selectors.urge_for(principal, urge_id)
        task = selectors.task_for(principal, urge.task_id, lock=True)
        _require(task, "urge_reply", principal)
        urge = Urge.objects.select_for_update().get(pk=urge.pk)
        if urge.replied_at is not None:
            raise Conflict("该督办通知已经回复过了。", {"allowed_actions": []})
        urge.reply = reply
        urge.replied_at = now or timezone.now()
        urge.save(update_fields=["reply", "replied_at"])
        audit.record(
            actor=principal.actor,
            action="supervision.urge_answered",
            object_type="supervision_task",
            object_id=str(task.pk),
            after={"urge": urge.pk, "replied_at": urge.replied_at.isoformat()},
        )
    return urge


# --- scheduled 催办 -------------------------------------------------------------------------------


def _period(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def reminders_send(*, now: dt.datetime | None = None, actor: str = "system:supervision") -> int:
    """催办 every open task that is overdue or due within ``selectors.RED_DAYS`` working days
    (red on the board) and was not reminded this ISO week: its lead departments' inbox is told,
    the reminder recorded and audited in the task's own transaction under its lock. Runs on
    working days only. A second (or concurrent) run in the same week reminds nobody twice.
    Returns how many tasks were reminded."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    if not calendar.is_working_day(today):
        return 0
    period = _period(today)
    horizon = calendar.add_working_days(today, selectors.RED_DAYS)
    due = (
        Task.objects.filter(status=TaskStatus.OPEN, due_date__lte=horizon)
        .exclude(reminders__period=period)
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            task = Task.objects.select_for_update().filter(pk=pk, status=TaskStatus.OPEN).first()
            if task is None or task.reminders.filter(period=period).exists():
                continue
            overdue = task.due_date < today
            Reminder.objects.create(
                task=task,
                period=period,
                overdue=overdue,
                departments=task.lead_departments,
                sent_at=now,
            )
            audit.record(
                actor=actor,
                action="supervision.reminded",
                object_type="supervision_task",
                object_id=str(task.pk),
                after={"period": period, "due_date": task.due_date.isoformat(),
                       "overdue": overdue, "departments": task.lead_departments},
            )  # fmt: skip
            if overdue:
                days = (today - task.due_date).days
                words = f"已超过完成时限（{zh_date(task.due_date)}）{days} 天"
            else:
                words = f"将于 {zh_date(task.due_date)} 到期"
            _tell(
                task.lead_departments,
                f"催办：{task.title}",
                f"督办任务“{task.title}”{words}，请抓紧推进并及时报送进展。",
                f"/supervision/tasks/{task.pk}/",
            )
            sent += 1
    return sent
