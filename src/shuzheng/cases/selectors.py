"""Reads of the 办件库, always scoped to the caller: applicants see their own cases (an agent
also the enterprise's), staff the cases of their departments. Anything else is "not found"."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shuzheng.cases.models import Case
from shuzheng.cases.models import CaseStatus as S
from shuzheng.cases.services import allowed_actions, records
from shuzheng.cases.transitions import CASE
from shuzheng.core.errors import NotFound
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import CASE_ROLES, Principal

# The workbench's queues: their names (read by the workbench) and what each holds.
QUEUES = {
    "pending": (_("待受理"), Q(status=S.SUBMITTED)),
    "in_progress": (_("办理中"), Q(status__in=[S.IN_PROGRESS, S.SUSPENDED])),
    "correction": (_("补正中"), Q(status=S.CORRECTION)),
    "due_soon": (_("即将超期"), Q(status=S.IN_PROGRESS, warning__in=["yellow", "red"])),
    "overdue": (_("已超期"), Q(status=S.IN_PROGRESS, warning="overdue")),
    "decided": (_("待办结"), Q(status__in=[S.APPROVED, S.DENIED])),
    # approved and closed, but the result licence needs data only a reviewer can give
    "license_pending": (_("待发证"), Q(license_pending=True)),
    "closed": (_("已办结"), Q(status__in=[S.CLOSED, S.REFUSED, S.WITHDRAWN])),
}


def visible_cases(principal: Principal) -> QuerySet[Case]:
    if principal.kind in ("person", "agent"):
        q = (
            Q(applicant_kind="person", applicant_id=principal.id_number)
            if principal.id_number
            else Q(pk__in=[])
        )
        if principal.enterprises:
            q |= Q(applicant_kind="enterprise", applicant_id__in=list(principal.enterprises))
        if principal.id_number:
            # 帮办代办: the cases the caller filed as an agent, while their mandate is valid
            mandates = identity.mandate_ids_usable(principal)
            if mandates:
                q |= Q(agent_id=principal.id_number, agent_mandate__in=mandates)
        return Case.objects.filter(q)
    if principal.kind == "staff":
        # only the roles that handle applications read them (issue 16 item 3)
        departments = principal.departments_for(CASE_ROLES)
        return Case.objects.filter(department_code__in=departments, kind="item")
    return Case.objects.none()


def case_for(principal: Principal, case_no: str) -> Case:
    case = visible_cases(principal).filter(case_no=case_no).first()
    if case is None:
        raise NotFound("未找到该办件。")
    return case


def case_material(principal: Principal, case_no: str, file_id: str) -> Case:
    """A case the caller may see that lists the file among its materials (NotFound
    otherwise: a file of another case, or no file, is the same answer)."""
    case = case_for(principal, case_no)
    if not any(str(m.get("file_id") or "") == file_id for m in case.materials):
        raise NotFound("未找到该材料。")
    return case


def case_using_file(principal: Principal, file_id: str, owner: str) -> str | None:
    """The number of a case the caller may see that uses the file, or None. A case only uses
    files its submitter uploaded (``services.materials.check_materials``), so the uploader
    narrows the search to one index range; the JSON match is confirmed entry by entry."""
    rows = (
        visible_cases(principal)
        .filter(submitted_by=owner, materials__icontains=file_id)
        .order_by("id")
        .values_list("case_no", "materials")[:20]
    )
    for case_no, materials in rows:
        if any(str(m.get("file_id") or "") == file_id for m in materials or []):
            return str(case_no)
    return None


def case_list(
    principal: Principal,
    *,
    queue: str | None = None,
    department: str | None = None,
    q: str = "",
    limit: int = 20,
    offset: int = 0,
) -> tuple[list[Case], int]:
    qs = visible_cases(principal)
    if principal.kind in ("person", "agent"):
        # a deleted draft (删除草稿: withdrawn, never submitted) is no longer listed
        qs = qs.filter(parent__isnull=True).exclude(status=S.WITHDRAWN, submitted_at__isnull=True)
    if queue in QUEUES:
        qs = qs.filter(QUEUES[queue][1])
    if department:
        qs = qs.filter(department_code=department)
    if q:
        qs = qs.filter(
            Q(case_no__startswith=q) | Q(item_name__contains=q) | Q(applicant_name__contains=q)
        )
    order = ["due_date", "id"] if queue in ("in_progress", "due_soon", "overdue") else ["-id"]
    total = qs.count()
    return list(qs.order_by(*order)[offset : offset + max(1, min(limit, 100))]), total


# Queues whose size the workbench shows: open queues are index ranges; counting 已办结 would
# scan the department's history on every page view (bench/case_lifecycle/README.md).
COUNTED_QUEUES = (
    "pending",
    "in_progress",
    "correction",
    "due_soon",
    "overdue",
    "decided",
    "license_pending",
)


def queue_counts(principal: Principal) -> dict[str, int]:
    """The size of every open queue (each an index range over department and status)."""
    base = visible_cases(principal)
    return {key: base.filter(QUEUES[key][1]).count() for key in COUNTED_QUEUES}


def _decision(case: Case) -> dict[str, Any] | None:
    """The case API's ``decision``: the rules' record (秒批 / 免申即享) when rules decided, else
    the reviewer's decision in the same shape, or None while undecided."""
    if case.rule_decision:
        return dict(case.rule_decision)
    if not case.decision:
        return None
    return {
        "outcome": case.decision,
        "rule_set": None,
        "version": None,
        "explanation": [case.decision_reason] if case.decision_reason else [],
        "by": "staff",
    }


def detail(principal: Principal, case: Case) -> dict[str, Any]:
    return {
        "case_no": case.case_no,
        "kind": case.kind,
        "item_code": case.item_code,
        "item_version": case.item_version,
        "bundle_code": case.bundle_code,
        "item_name": case.item_name,
        "department": case.department_code,
        "status": case.status,
        "status_name": str(S(case.status).label),
        "handling_type": case.handling_type,
        "promised_days": case.promised_days,
        "applicant_kind": case.applicant_kind,
        "applicant_name": case.applicant_name,
        "channel": case.channel,
        "submitted_at": case.submitted_at.isoformat() if case.submitted_at else None,
        "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
        "due_date": case.due_date.isoformat() if case.due_date else None,
        # counted across a year whose 调休 notice is not entered: the date may still move
        "due_date_provisional": case.due_date_provisional,
        "paused_days": case.paused_days,
        "extended_days": case.extended_days,
        "warning": case.warning,
        "assignee": case.assignee,
        "correction_items": case.correction_items,
        "decision": _decision(case),
        "decision_reason": case.decision_reason,
        "delivery": case.delivery,
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "result": case.result,
        "form": case.form,
        "materials": case.materials,
        "parent": case.parent.case_no if case.parent is not None else None,
        "children": [
            {
                "case_no": c.case_no,
                "item_name": c.item_name,
                "department": c.department_code,
                "status": c.status,
                "due_date": c.due_date.isoformat() if c.due_date else None,
            }
            for c in (case.children.order_by("id") if case.kind == "bundle" else ())
        ],
        "timeline": [
            {
                "at": at.isoformat(),
                "actor": actor,
                "action": action,
                "action_name": str(CASE.timeline_label(action)),
                "from_status": from_status,
                "to_status": to_status,
                "note": note,
                "data": data,
            }
            for at, actor, action, from_status, to_status, note, data in records.timeline(case)
        ],
        "allowed_actions": allowed_actions(principal, case),
        # 智能导办: the answers, situation codes and names the applicant chose ({}: none)
        "situation": case.situation or {},
        # 邮寄送达: carrier, tracking_no, sent_on once the clerk recorded the posting ({}: not yet)
        "mail_tracking": case.mail_tracking or {},
    }


def overdue(principal: Principal, *, today: dt.date | None = None) -> list[Case]:
    today = today or timezone.localdate()
    return list(
        visible_cases(principal)
        .filter(status=S.IN_PROGRESS, due_date__lt=today)
        .order_by("due_date")[:200]
    )


def metrics_rows(*, sample: int = 5000) -> list[dict[str, Any]]:
    """Per department and item: 网办率, 即办率, 按时办结率, 超期件数, average working days.

    Counts come from database aggregates; the average working days is computed over (at most)
    the latest ``sample`` closed cases of each row, counting 工作日 with the holiday calendar.
    """
    from django.db.models import Count, F

    from shuzheng.core import calendar

    today = timezone.localdate()
    cal = calendar.snapshot()
    base = Case.objects.filter(kind="item").exclude(status=S.DRAFT)
    rows = base.values("department_code", "item_code", "item_name").annotate(
        total=Count("id"),
        online=Count("id", filter=Q(channel__in=["online", "api", "proactive"])),
        instant=Count("id", filter=Q(handling_type="instant")),
        closed=Count("id", filter=Q(status=S.CLOSED)),
        on_time=Count("id", filter=Q(status=S.CLOSED, closed_on__lte=F("due_date"))),
        overdue_open=Count("id", filter=Q(status=S.IN_PROGRESS, due_date__lt=today)),
        closed_late=Count("id", filter=Q(status=S.CLOSED, closed_on__gt=F("due_date"))),
    )
    out = []
    for r in rows.order_by("department_code", "item_code"):
        closed = list(
            base.filter(
                item_code=r["item_code"],
                status=S.CLOSED,
                accepted_on__isnull=False,
                closed_on__isnull=False,
            )
            .order_by("-id")
            .values_list("accepted_on", "closed_on")[:sample]
        )
        days = [cal.working_days_between(a, c) for a, c in closed if a and c]
        total = r["total"] or 1
        out.append(
            {
                **r,
                "online_rate": round(r["online"] / total, 4),
                "instant_rate": round(r["instant"] / total, 4),
                "on_time_rate": round(r["on_time"] / r["closed"], 4) if r["closed"] else None,
                "overdue": r["overdue_open"] + r["closed_late"],
                "avg_working_days": round(sum(days) / len(days), 2) if days else None,
                "materials_avoided": 0,  # licence reuse (免证办) arrives with the e-licence module
            }
        )
    return out
