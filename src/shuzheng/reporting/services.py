"""All writes: typed keyword-only <entity>_<verb> functions, audited in one transaction.

Where a value comes from (``source``): ``prefill:<resource>`` a registry figure, ``previous``
the unit's previous period, ``reused:<report>`` the same dictionary entry reported this period
in another report, ``computed`` a formula, ``rollup`` the sum of the units below, ``typed``
what a person typed. A prefilled value a cadre corrects is typed, keeps what was prefilled,
and goes back to the source department as a data-quality report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _t

from shuzheng.audit import facade as audit
from shuzheng.core.errors import Conflict, DomainError, FieldError, NotFound, ValidationFailed
from shuzheng.core.zhdate import zh_date
from shuzheng.exchange import facade as exchange
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.notify import facade as notify
from shuzheng.reporting import schema, selectors
from shuzheng.reporting import transitions as tr
from shuzheng.reporting.models import (
    DictEntry,
    FieldValue,
    QualityReport,
    ReportDefinition,
    ReportTask,
    Unit,
)


@dataclass(frozen=True)
class Suggestion:
    value: Any
    source: str
    item: str = ""  # the exchange's data item a prefilled value was read from
    department: str = ""  # its source department (code)


# 填表报数 reads the per-village registry figures through the data exchange as this government
# system, under its grants for 统计分析 (data/region_catalog.json of the exchange)
EXCHANGE_CLIENT = "shuzheng-reporting"
EXCHANGE_PURPOSE = "statistics"


def registry_figures(
    task: ReportTask, items: list[str], *, actor: str
) -> dict[str, tuple[Any, str, str]]:
    """The unit's registry figures for the task's period through the data exchange: item →
    (value, registry, source department). Each read is a logged, audited exchange call; items
    the grants do not cover (or the exchange does not know) are simply not prefilled."""
    if not items:
        return {}
    try:
        answer = exchange.region_figures(
            client_id=EXCHANGE_CLIENT,
            purpose=EXCHANGE_PURPOSE,
            keys=sorted(set(items)),
            region=task.unit.code,
            period=task.period,
            actor=actor,
        )
    except DomainError:
        return {}
    return {
        key: (value, answer.sources[key].registry, answer.sources[key].department)
        for key, value in answer.values.items()
    }


def previous_period(period: str, frequency: str) -> str | None:
    """The period before ``period`` (2026-11 → 2026-10, 2026Q1 → 2025Q4, 2026 → 2025)."""
    if frequency == "monthly":
        y, m = int(period[:4]), int(period[5:7])
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        return f"{y}-{m:02d}"
    if frequency == "quarterly":
        y, q = int(period[:4]), int(period[5])
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
        return f"{y}Q{q}"
    if frequency == "yearly":
        return str(int(period) - 1)
    return None


def numeric(value: Any) -> float | None:
    """The value as a number for the database's sums (None for text)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _number(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def rollup(task: ReportTask) -> dict[str, Any]:
    """Sums of the numeric scalar fields over the units below whose tasks were approved (or,
    for a county, summarised): what a 镇街 never retypes."""
    spec = task.definition.spec
    names = [f["name"] for f in schema.fields(spec) if f.get("type", "integer") != "string"]
    children = ReportTask.objects.filter(
        definition_id=task.definition_id,
        period=task.period,
        unit__parent_id=task.unit_id,
        state__in=tr.COUNTED,
    ).values("id")
    rows = (
        FieldValue.objects.filter(task_id__in=children, name__in=names, number__isnull=False)
        .values("name")
        .annotate(total=Sum("number"))
        .values_list("name", "total")
    )
    sums: dict[str, Any] = {name: _number(round(total, 6)) for name, total in rows}
    return sums


def suggestions(task: ReportTask, *, actor: str = "system:reporting") -> dict[str, Suggestion]:
    """What the platform already knows for each scalar field of a task: registry figures
    through the data exchange (read on behalf of ``actor``), the same entry reported this
    period in another report, the unit's previous period (for 时点数)."""
    spec = task.definition.spec
    fields = schema.fields(spec)
    if task.unit.level != Unit.Level.VILLAGE:
        return {k: Suggestion(v, "rollup") for k, v in rollup(task).items()}
    entry_of = {f["name"]: f.get("entry", "") for f in fields if not f.get("formula")}
    keys = [k for k in entry_of.values() if k]
    entries = {e.key: e for e in DictEntry.objects.filter(key__in=keys)}
    figures = registry_figures(task, [e.item for e in entries.values() if e.item], actor=actor)
    reused: dict[str, tuple[Any, str]] = {}
    for entry_key, value, report in (
        FieldValue.objects.filter(
            task__unit_id=task.unit_id,
            task__period=task.period,
            task__state__in=tr.DONE,
            entry__in=keys,
        )
        .exclude(task_id=task.id)
        .order_by("task__submitted_at")
        .values_list("entry", "value", "task__definition__name")
    ):
        reused.setdefault(entry_key, (value, report))
    before = previous_period(task.period, task.definition.frequency)
    previous: dict[str, Any] = {}
    if before:
        previous = dict(
            FieldValue.objects.filter(
                task__definition_id=task.definition_id,
                task__unit_id=task.unit_id,
                task__period=before,
                task__state__in=tr.DONE,
            ).values_list("name", "value")
        )
    out: dict[str, Suggestion] = {}
    for name, key in entry_of.items():
        entry = entries.get(key)
        if entry is None:
            continue
        if entry.item and entry.item in figures:
            value, registry, department = figures[entry.item]
            out[name] = Suggestion(value, f"prefill:{registry}", entry.item, department)
        elif key in reused:
            out[name] = Suggestion(reused[key][0], f"reused:{reused[key][1]}")
        elif entry.period_kind == DictEntry.PeriodKind.STOCK and previous.get(name) is not None:
            out[name] = Suggestion(previous[name], "previous")
    return out


def _same(a: Any, b: Any) -> bool:
    try:
        return float(a) == float(b)
    except (TypeError, ValueError):
        return str(a).strip() == str(b).strip()


def _lock(principal: Principal, task_id: int) -> ReportTask:
    task = (
        ReportTask.objects.select_for_update()
        .select_related("definition", "unit")
        .filter(pk=task_id)
        .first()
    )
    if task is None or not selectors.can_see(principal, task):
        raise NotFound(_t("未找到该报表任务。"))
    return task


def _conflict(principal: Principal, task: ReportTask, action: str) -> Conflict:
    allowed = selectors.allowed_actions(principal, task)
    return Conflict(
        _t("报表当前状态“%(s)s”下不能“%(a)s”。")
        % {"s": tr.state_label(task.state), "a": tr.TASK.label(action)},
        extra={"allowed_actions": allowed},
    )


def _snapshot(task: ReportTask) -> dict[str, Any]:
    return {"state": task.state, "typed": task.typed, "total": task.total}


def _failed(errors: list[FieldError]) -> ValidationFailed:
    text = "；".join(e.message for e in errors)
    return ValidationFailed(errors, message=_t("填写有误，未保存：") + text)


def task_save(
    *,
    principal: Principal,
    task_id: int,
    raw: dict[str, Any],
    submit: bool,
    at: dt.datetime | None = None,
) -> ReportTask:
    """Save a draft, or submit (every field required). Bad input → ValidationFailed naming
    each field; a wrong state or a closed report → Conflict; nothing is stored."""
    at = at or timezone.now()
    with transaction.atomic():
        task = _lock(principal, task_id)
        allowed = selectors.allowed_actions(principal, task)
        if "submit" not in allowed:
            raise _conflict(principal, task, "submit")
        if submit and timezone.localtime(at).date() > task.deadline:
            raise Conflict(
                _t("该报表已于%(d)s截止，不能再提交，请联系上级单位。")
                % {"d": zh_date(task.deadline)},
                extra={"allowed_actions": []},
            )
        spec = task.definition.spec
        try:
            data = schema.validate(spec, raw, required=submit)
        except ValidationFailed as exc:
            raise _failed(exc.errors) from exc
        actor = principal.actor
        sugg = suggestions(task, actor=actor)
        stored = {v.name: v for v in task.values.all()}
        entry_of = {f["name"]: f.get("entry", "") for f in schema.fields(spec)}
        formulas = {f["name"] for f in schema.fields(spec) if f.get("formula")}
        names = set(entry_of) | {k for k in data if k.count(".") == 2}
        names_dept = identity.department_names()
        corrections: list[dict[str, Any]] = []
        for name in names:
            value = data.get(name)
            old = stored.get(name)
            if value is None:
                if old is not None:
                    old.delete()
                continue
            hint = sugg.get(name)
            if name in formulas:
                source, original, typed_by = "computed", None, ""
            elif old is not None and old.source == "typed":
                source, original = "typed", old.original
                typed_by = old.typed_by if _same(old.value, value) else actor
            elif hint is not None and _same(hint.value, value):
                source, original, typed_by = hint.source, None, ""
            else:
                source, typed_by = "typed", actor
                original = hint.value if hint is not None else None
                if hint is not None and hint.source.startswith("prefill:"):
                    corrections.append(
                        {
                            "field": name,
                            "entry": entry_of.get(name, ""),
                            "from": hint.value,
                            "to": value,
                            "source": hint.source,
                            "item": hint.item,
                            "department": hint.department,
                        }
                    )
            FieldValue.objects.update_or_create(
                task=task,
                name=name,
                defaults={
                    "entry": entry_of.get(name, ""),
                    "value": value,
                    "number": numeric(value),
                    "source": source,
                    "original": original,
                    "typed_by": typed_by,
                },
            )
        before = _snapshot(task)
        for c in corrections:
            entry = DictEntry.objects.get(key=c["entry"])
            title = schema.field_titles(spec).get(c["field"], entry.meaning)
            department = c["department"] or entry.owner_department
            # the correction goes back to the source as the exchange's 数据纠错 (its task, due in
            # 5 工作日, on its data officers' quality list)
            issue = exchange.region_correction(
                client_id=EXCHANGE_CLIENT,
                actor=actor,
                key=c["item"],
                region=task.unit.code,
                period=task.period,
                current=c["from"],
                proposed=c["to"],
                reason=_t("%(u)s填报《%(r)s》时将“%(f)s”更正为%(b)s")
                % {"u": task.unit.name, "r": task.definition.name, "f": title, "b": c["to"]},
            )
            QualityReport.objects.create(
                task=task,
                field=c["field"],
                entry=c["entry"],
                department=department,
                prefilled=c["from"],
                corrected=c["to"],
                reported_by=actor,
                issue=issue,
            )
            notify.send(
                recipient_kind="department",
                recipient_id=department,
                title=_t("数据质量反馈：%(m)s") % {"m": entry.meaning},
                body=_t(
                    "%(u)s在《%(r)s》（%(p)s）中将“%(f)s”由%(a)s更正为%(b)s，请核实%(d)s的登记数据。"
                )
                % {
                    "u": task.unit.name,
                    "r": task.definition.name,
                    "p": task.period,
                    "f": title,
                    "a": c["from"],
                    "b": c["to"],
                    "d": names_dept.get(department, ""),
                },
                sms=False,
            )
            audit.record(
                actor=actor,
                action="reporting.correction",
                object_type="reporting.task",
                object_id=str(task.pk),
                before={"field": c["field"], "value": c["from"], "source": c["source"]},
                after={
                    "field": c["field"],
                    "value": c["to"],
                    "department": department,
                    "issue": issue,
                },
            )
        values = list(task.values.values_list("source", flat=True))
        task.total = len(values)
        task.typed = sum(1 for s in values if s == "typed")
        if submit:
            task.state = tr.SUBMITTED
            task.submitted_by = actor
            task.submitted_at = at
            task.return_reason = ""
        elif task.state == tr.ISSUED:
            task.state = tr.FILLING
        task.save()
        audit.record(
            actor=actor,
            action="reporting.submit" if submit else "reporting.draft",
            object_type="reporting.task",
            object_id=str(task.pk),
            before=before,
            after=_snapshot(task),
        )
    return task


def task_act(*, principal: Principal, task_id: int, action: str, reason: str = "") -> ReportTask:
    """退回 (with a reason), 通过, 汇总 (the sums of the units below stored as ``rollup``),
    上报. A wrong state → Conflict with the allowed actions."""
    with transaction.atomic():
        task = _lock(principal, task_id)
        allowed = selectors.allowed_actions(principal, task)
        if action not in tr.TASK or action == "submit":
            error = ValidationFailed.one("action", _t("没有这项操作。"))
            error.extra = {"allowed_actions": allowed}
            raise error
        if action not in allowed:
            raise _conflict(principal, task, action)
        reason = (reason or "").strip()
        if action == "return" and not reason:
            raise ValidationFailed.one("reason", _t("退回理由：请写明需要修改什么。"))
        if len(reason) > 500:
            raise ValidationFailed.one("reason", _t("退回理由：不能超过500个字。"))
        before = _snapshot(task)
        target = tr.TASK[action].target
        assert target is not None
        task.state = target
        if action == "return":
            task.return_reason = reason
        if action == "summarise":
            sums = rollup(task)
            task.values.exclude(name__in=list(sums)).delete()
            for name, value in sums.items():
                FieldValue.objects.update_or_create(
                    task=task,
                    name=name,
                    defaults={
                        "value": value,
                        "number": numeric(value),
                        "source": "rollup",
                        "entry": "",
                        "typed_by": "",
                    },
                )
            task.total, task.typed = len(sums), 0
        task.save()
        audit.record(
            actor=principal.actor,
            action=f"reporting.{action}",
            object_type="reporting.task",
            object_id=str(task.pk),
            before=before,
            after={**_snapshot(task), **({"reason": reason} if reason else {})},
        )
        if action == "return":
            notify.send(
                recipient_kind="department",
                recipient_id=f"unit:{task.unit.code}",
                title=_t("报表被退回：%(r)s") % {"r": task.definition.name},
                body=reason,
                sms=False,
            )
    return task


# --- 准入: a new report checked against the register ------------------------------------------


def definition_overlaps(spec: dict[str, Any], *, exclude: str = "") -> list[dict[str, Any]]:
    """Reports in force sharing dictionary entries or field titles with ``spec``: one row per
    report with the shared fields and the share of the new report they make up."""
    mine = schema.fields(spec)
    if not mine:
        return []
    entries = {f.get("entry") for f in mine if f.get("entry")}
    titles = {f.get("title") for f in mine}
    out: list[dict[str, Any]] = []
    for other in ReportDefinition.objects.filter(status=ReportDefinition.Status.IN_FORCE).exclude(
        code=exclude
    ):
        shared = [
            f.get("title", f["name"])
            for f in schema.fields(other.spec)
            if (f.get("entry") and f.get("entry") in entries) or f.get("title") in titles
        ]
        if shared:
            out.append(
                {
                    "code": other.code,
                    "name": other.name,
                    "fields": shared,
                    "share": round(min(len(shared), len(mine)) / len(mine), 2),
                }
            )
    out.sort(key=lambda r: -r["share"])
    return out


DUPLICATE_SHARE = 0.6  # a report whose fields are mostly another's is a duplicate


def definition_create(
    *,
    principal: Principal,
    code: str,
    name: str,
    owner_department: str,
    frequency: str,
    levels: list[str],
    spec: dict[str, Any],
    deadline_day: int = 10,
) -> ReportDefinition:
    """Register a report: in force at once when it repeats no report in force, otherwise
    flagged for the reviewer (统一报表清单, 一数一源) and not issuable until admitted."""
    errors: list[FieldError] = []
    if not name.strip():
        errors.append(FieldError("name", _t("报表名称：请填写。")))
    if frequency not in ReportDefinition.Frequency.values:
        errors.append(FieldError("frequency", _t("报送频次：请选择一次性、月报、季报或年报。")))
    if not schema.fields(spec):
        errors.append(FieldError("spec", _t("表单：至少要有一个字段。")))
    known = set(DictEntry.objects.values_list("key", flat=True))
    for f in schema.fields(spec):
        if f.get("entry") and f["entry"] not in known:
            errors.append(
                FieldError(
                    "spec",
                    _t("字段“%(t)s”绑定的数据项未在字段字典中。") % {"t": f.get("title", "")},
                )
            )
    if errors:
        raise _failed(errors)
    with transaction.atomic():
        if not code:  # the designer page lets the platform number it
            n = ReportDefinition.objects.count() + 1
            while ReportDefinition.objects.filter(code=f"BB{n:04d}").exists():
                n += 1
            code = f"BB{n:04d}"
        if ReportDefinition.objects.filter(code=code).exists():
            raise Conflict(_t("报表编号已存在。"))
        overlaps = definition_overlaps(spec)
        dup = any(o["share"] >= DUPLICATE_SHARE for o in overlaps)
        d = ReportDefinition.objects.create(
            code=code,
            name=name.strip(),
            owner_department=owner_department,
            frequency=frequency,
            levels=levels,
            spec=spec,
            deadline_day=deadline_day,
            overlaps=overlaps,
            status=ReportDefinition.Status.FLAGGED if dup else ReportDefinition.Status.IN_FORCE,
            created_by=principal.actor,
        )
        audit.record(
            actor=principal.actor,
            action="reporting.definition_created",
            object_type="reporting.definition",
            object_id=code,
            after={"status": d.status, "overlaps": [o["code"] for o in overlaps]},
        )
    return d


def definition_admit(*, principal: Principal, code: str, approve: bool) -> ReportDefinition:
    """The reviewer's decision on a flagged report (admitted despite the overlap, or refused)."""
    with transaction.atomic():
        d = ReportDefinition.objects.select_for_update().filter(code=code).first()
        if d is None:
            raise NotFound(_t("未找到该报表。"))
        if not selectors.is_gatekeeper(principal):
            raise NotFound(_t("未找到该报表。"))
        if d.status != ReportDefinition.Status.FLAGGED:
            raise Conflict(_t("该报表不在待审核状态。"), extra={"allowed_actions": []})
        d.status = ReportDefinition.Status.IN_FORCE if approve else ReportDefinition.Status.REFUSED
        d.save(update_fields=["status"])
        audit.record(
            actor=principal.actor,
            action="reporting.definition_admitted" if approve else "reporting.definition_refused",
            object_type="reporting.definition",
            object_id=code,
            after={"status": d.status},
        )
    return d


def _deadline(period: str, frequency: str, day: int) -> dt.date:
    if frequency == "monthly":
        y, m = int(period[:4]), int(period[5:7])
    elif frequency == "quarterly":
        y, m = int(period[:4]), int(period[5]) * 3
    elif frequency == "yearly":
        y, m = int(period), 12
    else:
        return timezone.localdate() + dt.timedelta(days=day)
    y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return dt.date(y, m, min(day, 28))


def definition_issue(*, principal: Principal, code: str, period: str, actor: str = "") -> int:
    """下发: one task per unit of the report's levels for the period (idempotent). A report
    not in force cannot be issued."""
    with transaction.atomic():
        d = ReportDefinition.objects.select_for_update().filter(code=code).first()
        mine = d is not None and (
            principal.kind == "system"
            or selectors.is_gatekeeper(principal)
            or d.owner_department in selectors.issuer_departments(principal)
        )
        if d is None or not mine:
            raise NotFound(_t("未找到该报表。"))
        if d.status != ReportDefinition.Status.IN_FORCE:
            raise Conflict(
                _t("该报表尚未准入（%(s)s），不能下发。") % {"s": d.get_status_display()},
                extra={"allowed_actions": []},
            )
        deadline = _deadline(period, d.frequency, d.deadline_day)
        have = set(
            ReportTask.objects.filter(definition=d, period=period).values_list("unit_id", flat=True)
        )
        new = [
            ReportTask(definition=d, unit_id=u, period=period, deadline=deadline)
            for u in Unit.objects.filter(level__in=d.levels).values_list("id", flat=True)
            if u not in have
        ]
        ReportTask.objects.bulk_create(new, batch_size=500)
        audit.record(
            actor=actor or principal.actor,
            action="reporting.issue",
            object_type="reporting.definition",
            object_id=code,
            after={"period": period, "tasks": len(new)},
        )
    return len(new)


REMIND_DAYS = 3  # calendar days before the deadline
REMIND_ACTOR = "system:reporting_remind"


def tasks_remind(*, at: dt.datetime | None = None) -> int:
    """催报: one message to each unit whose task is still not submitted when its deadline is
    within ``REMIND_DAYS`` (and not past) — once per task, i.e. per unit, report and period,
    never twice: each task is marked, noticed and audited in its own transaction under its lock,
    so a rerun (or a concurrent run) reminds nobody again. Returns how many were reminded."""
    now = at or timezone.now()
    today = timezone.localtime(now).date()
    due = ReportTask.objects.filter(
        state__in=(tr.ISSUED, tr.FILLING, tr.RETURNED),
        reminded_at__isnull=True,
        deadline__gte=today,
        deadline__lte=today + dt.timedelta(days=REMIND_DAYS),
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            task = (
                ReportTask.objects.select_for_update(of=("self",))
                .select_related("definition", "unit")
                .filter(
                    pk=pk,
                    reminded_at__isnull=True,
                    state__in=(tr.ISSUED, tr.FILLING, tr.RETURNED),
                )
                .first()
            )
            if task is None:
                continue
            task.reminded_at = now
            task.save(update_fields=["reminded_at"])
            notify.send(
                recipient_kind="department",
                recipient_id=f"unit:{task.unit.code}",
                title=_t("催报：%(r)s") % {"r": task.definition.name},
                body=_t("《%(r)s》（%(p)s）将于%(d)s截止，尚未提交，请及时填报。")
                % {
                    "r": task.definition.name,
                    "p": task.period,
                    "d": zh_date(task.deadline, year=False),
                },
                link=f"/reports/tasks/{task.pk}/",
                sms=False,
            )
            audit.record(
                actor=REMIND_ACTOR,
                action="reporting.remind",
                object_type="reporting.task",
                object_id=str(task.pk),
                after={
                    "unit": task.unit.code,
                    "period": task.period,
                    "deadline": task.deadline.isoformat(),
                    "reminded_at": now.isoformat(),
                },
            )
            sent += 1
    return sent
