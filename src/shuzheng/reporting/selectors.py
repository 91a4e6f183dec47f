"""All reads, always scoped to the caller's rights (an identity Principal).

A cadre sees their own unit's tasks; a 镇街 reviewer sees its villages' tasks and its own; the
issuing department (its head or data officer) sees every task of the reports it issued; the
platform administrator sees everything; nobody else sees anything (404).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _t

from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal
from shuzheng.reporting import schema
from shuzheng.reporting import transitions as tr
from shuzheng.reporting.models import (
    DictEntry,
    FieldValue,
    ReportDefinition,
    ReportTask,
    Unit,
    UnitMember,
)

ISSUER_ROLES = ("department_head", "data_officer")
GATEKEEPER_DEPARTMENT = "441200-ZSJ"  # 市政数局 keeps the 统一报表清单


def _members(principal: Principal) -> list[tuple[int, str]]:
    if principal.kind != "staff" or not principal.username:
        return []
    return list(
        UnitMember.objects.filter(username=principal.username).values_list("unit_id", "role")
    )


def member_units(principal: Principal) -> list[int]:
    """The units the caller fills or reviews."""
    return [unit for unit, _role in _members(principal)]


def unit_inboxes(principal: Principal) -> list[str]:
    """The message boxes of the caller's units (``unit:<code>``: 催报 and 退回 notices)."""
    ids = member_units(principal)
    if not ids:
        return []
    codes = Unit.objects.filter(pk__in=ids).values_list("code", flat=True)
    return [f"unit:{c}" for c in codes]


def issuer_departments(principal: Principal) -> list[str]:
    return principal.departments_for(ISSUER_ROLES) if principal.kind == "staff" else []


def is_city(principal: Principal) -> bool:
    return principal.kind == "staff" and (principal.is_superuser or principal.is_platform_admin)


def is_gatekeeper(principal: Principal) -> bool:
    return is_city(principal) or GATEKEEPER_DEPARTMENT in issuer_departments(principal)


def roles_on(principal: Principal, task: ReportTask) -> set[str]:
    roles: set[str] = set()
    for unit_id, role in _members(principal):
        if role == UnitMember.Role.FILLER and unit_id == task.unit_id:
            roles.add("filler")
        if role == UnitMember.Role.REVIEWER and unit_id == task.unit.parent_id:
            roles.add("reviewer")
        if (
            role == UnitMember.Role.REVIEWER
            and unit_id == task.unit_id
            and task.unit.level != Unit.Level.VILLAGE
        ):
            roles.add("summariser")
    if task.definition.owner_department in issuer_departments(principal):
        roles.add("issuer")
    return roles


def can_see(principal: Principal, task: ReportTask) -> bool:
    return is_city(principal) or bool(roles_on(principal, task))


def allowed_actions(principal: Principal, task: ReportTask) -> list[str]:
    return tr.TASK.allowed(task.state, roles_on(principal, task), task)


def tasks(principal: Principal) -> QuerySet[ReportTask]:
    """Tasks the caller may see: own unit, the units below a reviewed unit, own reports."""
    qs = ReportTask.objects.select_related("definition", "unit", "unit__parent")
    if is_city(principal):
        return qs
    members = _members(principal)
    own = [u for u, r in members if r == UnitMember.Role.FILLER]
    reviewed = [u for u, r in members if r == UnitMember.Role.REVIEWER]
    depts = issuer_departments(principal)
    if not (own or reviewed or depts):
        return qs.none()
    return qs.filter(
        Q(unit_id__in=own)
        | Q(unit_id__in=reviewed)
        | Q(unit__parent_id__in=reviewed)
        | Q(definition__owner_department__in=depts)
    )


def task(principal: Principal, task_id: int) -> ReportTask:
    from shuzheng.core.errors import NotFound

    found = tasks(principal).filter(pk=task_id).first()
    if found is None:
        raise NotFound(_t("未找到该报表任务。"))
    return found


def source_words(source: str, department: str = "") -> str:
    """Where a value came from, in words a cadre reads (``department``: the source's name)."""
    kind, _sep, what = source.partition(":")
    if kind == "prefill":
        return _t("已从%(d)s%(w)s数据自动填入") % {"d": department, "w": what}
    if kind == "reused":
        return _t("本期已在《%(r)s》中报过，直接沿用") % {"r": what}
    if source == "previous":
        return _t("沿用本单位上期数据")
    if source == "computed":
        return _t("按明细自动计算")
    if source == "rollup":
        return _t("由下级单位数据自动汇总")
    if source == "typed":
        return _t("手工填写")
    return _t("其他来源")


@dataclass
class FieldRow:
    name: str
    title: str
    measure: str
    kind: str  # integer | number | string
    value: Any
    source: str  # "" when nothing is known yet
    words: str
    computed: bool
    error: str = ""
    original: Any = None


@dataclass
class TaskView:
    task: ReportTask
    fields: list[FieldRow]
    tables: list[dict[str, Any]] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    @property
    def to_type(self) -> list[FieldRow]:
        return [f for f in self.fields if not f.source and not f.computed]

    @property
    def known(self) -> list[FieldRow]:
        return [f for f in self.fields if f.source or f.computed]


def task_view(
    principal: Principal,
    task: ReportTask,
    *,
    posted: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> TaskView:
    """Every field with its value and source: stored values first, then what the platform
    knows (suggestions), computed fields from the rest."""
    from shuzheng.reporting import services

    spec = task.definition.spec
    stored = {v.name: v for v in task.values.all()}
    village = task.unit.level == Unit.Level.VILLAGE
    live_rollup = not village and task.state not in (tr.SUMMARISED, tr.REPORTED)
    fillable = village and task.state in (tr.ISSUED, tr.FILLING, tr.RETURNED)
    hints = services.suggestions(task, actor=principal.actor) if fillable or live_rollup else {}
    names = identity.department_names()
    # a prefilled value is worded with its source department (the exchange's resource owner)
    sourced = {k: names.get(h.department, "") for k, h in hints.items() if h.department}
    measures: dict[str, str] = {}
    owners: dict[str, str] = {}
    for key, measure, owner in DictEntry.objects.filter(
        key__in=[f.get("entry", "") for f in schema.fields(spec)]
    ).values_list("key", "measure", "owner_department"):
        measures[key], owners[key] = measure, names.get(owner, "")
    values: dict[str, Any] = {}
    rows: list[FieldRow] = []
    for f in schema.fields(spec):
        name = f["name"]
        v = stored.get(name)
        value: Any
        if posted is not None and name in posted and not f.get("formula"):
            value, source = posted[name], ""
            if v is not None and str(v.value) == str(value):
                source = v.source
            elif name in hints and str(hints[name].value) == str(value):
                source = hints[name].source
        elif live_rollup:
            value, source = (hints[name].value, "rollup") if name in hints else (None, "")
        elif v is not None:
            value, source = v.value, v.source
        elif name in hints:
            value, source = hints[name].value, hints[name].source
        else:
            value, source = None, ""
        values[name] = value
        rows.append(
            FieldRow(
                name=name,
                title=f.get("title", name),
                measure=measures.get(f.get("entry", ""), ""),
                kind=f.get("type", "integer"),
                value=value,
                source=source,
                words=source_words(source, sourced.get(name) or owners.get(f.get("entry", ""), ""))
                if source
                else "",
                computed=bool(f.get("formula")),
                error=(errors or {}).get(name, ""),
                original=v.original if v is not None else None,
            )
        )
    calc = schema.computed(spec, {**{k: v.value for k, v in stored.items()}, **values})
    for r in rows:
        if r.computed:
            r.value, r.source, r.words = calc.get(r.name), "computed", source_words("computed")
    tables = []
    for t in schema.tables(spec):
        cells = {k: v.value for k, v in stored.items() if k.startswith(t["name"] + ".")}
        if posted is not None:
            cells = {k: v for k, v in posted.items() if k.startswith(t["name"] + ".")}
        n = schema.row_count(spec, cells, t["name"])
        data_rows = [
            [cells.get(f"{t['name']}.{i}.{c['name']}", "") for c in t["columns"]]
            for i in range(1, n + 1)
        ]
        form_rows = [
            [
                {
                    "name": f"{t['name']}.{i}.{c['name']}",
                    "value": cells.get(f"{t['name']}.{i}.{c['name']}", ""),
                    "label": _t("%(t)s第%(i)s行“%(c)s”")
                    % {"t": t["title"], "i": i, "c": c["title"]},
                    "new": i > n,
                }
                for c in t["columns"]
            ]
            for i in range(1, n + 4)
        ]
        tables.append({**t, "rows": data_rows, "cells": form_rows})
    return TaskView(task=task, fields=rows, tables=tables, allowed=allowed_actions(principal, task))


# --- 镇街 progress and the issuing department's summary ------------------------------------------


def children_progress(principal: Principal, task: ReportTask) -> list[dict[str, Any]]:
    """The units below ``task``'s unit: their task's state, who submitted, when."""
    labels = {state: tr.state_label(state) for state in tr.STATE_LABELS}
    return [
        {
            "id": pk,
            "unit": unit,
            "state": state,
            "state_label": labels.get(state, ""),
            "done": state in tr.COUNTED,
            "missing": state in (tr.ISSUED, tr.FILLING, tr.RETURNED),
            "submitted_by": by,
        }
        for pk, unit, state, by in ReportTask.objects.filter(
            definition_id=task.definition_id, period=task.period, unit__parent_id=task.unit_id
        )
        .order_by("unit__code")
        .values_list("id", "unit__name", "state", "submitted_by")
    ]


def summary(
    principal: Principal, definition: ReportDefinition, period: str
) -> list[dict[str, Any]]:
    """The issuing department's summary by level: for each 镇街, the sums of its approved
    villages, how many reported, and the county and city totals."""
    from shuzheng.reporting import services

    numeric = [f for f in schema.fields(definition.spec) if f.get("type", "integer") != "string"]
    out: list[dict[str, Any]] = []
    towns = (
        ReportTask.objects.filter(definition=definition, period=period, unit__level=Unit.Level.TOWN)
        .select_related("unit", "definition", "unit__parent")
        .order_by("unit__code")
    )
    for t in towns:
        sums = services.rollup(t)
        progress = children_progress(principal, t)
        out.append(
            {
                "level": _t("镇街"),
                "unit": t.unit.name,
                "county": t.unit.parent.name if t.unit.parent else "",
                "reported": sum(1 for p in progress if p["done"]),
                "units": len(progress),
                "values": [sums.get(f["name"], 0) for f in numeric],
            }
        )
    if out:
        totals = [sum(r["values"][i] for r in out) for i in range(len(numeric))]
        out.append(
            {
                "level": _t("合计"),
                "unit": _t("全部镇街"),
                "county": "",
                "reported": sum(r["reported"] for r in out),
                "units": sum(r["units"] for r in out),
                "values": totals,
            }
        )
    return out


def raw_rows(definition: ReportDefinition, period: str) -> list[list[Any]]:
    """The villages' own values (the raw rows behind the summary): 镇街, 村/社区, state, then
    each scalar field in the report's order."""
    names = [f["name"] for f in schema.fields(definition.spec)]
    tasks = ReportTask.objects.filter(
        definition=definition, period=period, unit__level=Unit.Level.VILLAGE
    ).order_by("unit__code")
    values: dict[int, dict[str, Any]] = {}
    for task_id, name, value in FieldValue.objects.filter(
        task__in=tasks, name__in=names
    ).values_list("task_id", "name", "value"):
        values.setdefault(task_id, {})[name] = value
    return [
        [town, village, tr.state_label(state), *(values.get(pk, {}).get(n) for n in names)]
        for pk, town, village, state in tasks.values_list(
            "id", "unit__parent__name", "unit__name", "state"
        )
    ]


def metrics(principal: Principal) -> dict[str, Any]:
    """The typing meter over the submitted village tasks the caller may see."""
    rows: dict[str, dict[str, Any]] = {}
    qs = tasks(principal).filter(state__in=tr.DONE, unit__level=Unit.Level.VILLAGE)
    for code, name, owner, typed, total in qs.values_list(
        "definition__code", "definition__name", "definition__owner_department", "typed", "total"
    ):
        r = rows.setdefault(
            code,
            {"code": code, "name": name, "owner": owner, "submissions": 0, "typed": 0, "total": 0},
        )
        r["submissions"] += 1
        r["typed"] += typed
        r["total"] += total
    names = identity.department_names()
    for r in rows.values():
        r["owner_name"] = names.get(r["owner"], "")
        r["reduction"] = round(1 - r["typed"] / r["total"], 4) if r["total"] else 0.0
    typed = sum(r["typed"] for r in rows.values())
    total = sum(r["total"] for r in rows.values())
    return {
        "typed": typed,
        "total": total,
        "reduction": round(1 - typed / total, 4) if total else 0.0,
        "by_report": sorted(rows.values(), key=lambda r: r["code"]),
    }


def register() -> list[dict[str, Any]]:
    """统一报表清单: the reports in force, with owner and frequency (public)."""
    names = identity.department_names()
    return [
        {
            "code": d.code,
            "name": d.name,
            "owner": names.get(d.owner_department, ""),
            "frequency": d.get_frequency_display(),
            "fields": len(schema.fields(d.spec)),
        }
        for d in ReportDefinition.objects.filter(status=ReportDefinition.Status.IN_FORCE)
    ]


def latest_period(definition: ReportDefinition) -> str:
    """The newest period the report was issued for ("" when never)."""
    found = (
        ReportTask.objects.filter(definition=definition)
        .order_by("-deadline")
        .values_list("period", flat=True)
        .first()
    )
    return found or ""


def definitions_for(principal: Principal) -> QuerySet[ReportDefinition]:
    if is_gatekeeper(principal):
        return ReportDefinition.objects.all()
    return ReportDefinition.objects.filter(owner_department__in=issuer_departments(principal))
