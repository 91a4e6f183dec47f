"""All reads of the exchange, scoped to the caller.

Data officers (数据管理员) see what involves their departments; a data officer of a 政务服务数据
管理局 (the data authority, code ``*-ZSJ``) and platform administrators see everything.
Citizens see only their own subjects; another citizen's consent is "not found".
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from shuzheng.core import calendar
from shuzheng.core.errors import Forbidden, NotFound, Unauthenticated
from shuzheng.exchange import fastpath, masking, providers
from shuzheng.exchange.contracts import QualityReport, ResourceInfo
from shuzheng.exchange.models import (
    Consent,
    Consumer,
    DataCall,
    Frequency,
    QualityIssue,
    RegistryRecord,
    Resource,
    ShareGrant,
    ShareRequest,
)
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal

DATA_OFFICER = "data_officer"
# days after which data is stale, per update frequency (one day of slack)
FRESH_DAYS: dict[str, int | None] = {
    Frequency.REALTIME: 1,
    Frequency.DAILY: 2,
    Frequency.WEEKLY: 8,
    Frequency.MONTHLY: 32,
    Frequency.QUARTERLY: 93,
    Frequency.YEARLY: 367,
    Frequency.ON_DEMAND: None,
}


# --- who may see what --------------------------------------------------------------------------


def officer_departments(principal: Principal) -> list[str]:
    return sorted({d for r, d in principal.staff_roles if r == DATA_OFFICER})


def visible_departments(principal: Principal) -> set[str] | None:
    """Departments whose sharing a staff member may see (None = all); Forbidden otherwise."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.is_platform_admin:
        return None
    depts = officer_departments(principal)
    if principal.kind != "staff" or not depts:
        raise Forbidden("仅数据管理员可以访问数据共享管理。")
    if any(d.endswith("-ZSJ") for d in depts):
        return None
    return set(depts)


def department_names() -> dict[str, str]:
    return identity.department_names()


# --- catalog -----------------------------------------------------------------------------------


def resource_info(code: str) -> ResourceInfo:
    """One resource with its fields (from the per-process catalog cache, see ``fastpath``)."""
    found = fastpath.resource(code)
    if found is None:
        raise NotFound(f"信息资源 {code} 不存在。")
    return found[0]


def resources(
    *, q: str = "", department: str = "", subject_kind: str = "", share_level: str = ""
) -> list[ResourceInfo]:
    out = []
    for code in sorted(cat := fastpath.catalog()):
        info = cat[code][0]
        if q and not (q in info.name or q in info.summary or code.startswith(q)):
            continue
        if department and info.source_department != department:
            continue
        if subject_kind and info.subject_kind != subject_kind:
            continue
        if share_level and info.share_level != share_level:
            continue
        out.append(info)
    return out


def is_fresh(info: ResourceInfo, now: dt.datetime | None = None) -> tuple[bool, int]:
    """(fresh, age in days) by the resource's update frequency. A resource whose provider reads
    the source module at call time (not a copy in the exchange) is always current."""
    if providers.is_live(info.provider):
        return True, 0
    now = now or timezone.now()
    age = max(0, (now - info.last_updated_at).days)
    limit = FRESH_DAYS.get(info.update_frequency)
    return (limit is None or age <= limit), age


def consumers(*, kind: str = "") -> list[Consumer]:
    qs = Consumer.objects.filter(is_active=True)
    return list(qs.filter(kind=kind) if kind else qs)


# --- share requests ----------------------------------------------------------------------------


def _requests_scope(principal: Principal) -> Any:
    qs = ShareRequest.objects.select_related("resource", "grant")
    if principal.kind == "client":
        if principal.client_kind != Consumer.Kind.GOVERNMENT or not principal.client_department:
            raise Forbidden("外部机构不能使用政务数据共享申请。")
        return qs.filter(consumer_department=principal.client_department)
    depts = visible_departments(principal)
    if depts is None:
        return qs
    return qs.filter(Q(consumer_department__in=depts) | Q(resource__source_department__in=depts))


def requests_for(principal: Principal, *, box: str = "", status: str = "") -> list[ShareRequest]:
    """``box``: "incoming" (to decide, my departments are the source), "outgoing" (mine)."""
    qs = _requests_scope(principal)
    mine = officer_departments(principal)
    if box == "incoming":
        qs = qs.filter(resource__source_department__in=mine)
    elif box == "outgoing":
        qs = qs.filter(consumer_department__in=mine)
    if status:
        qs = qs.filter(status=status)
    return list(qs.order_by("-submitted_at", "-id")[:500])


def request_for(principal: Principal, request_id: int) -> ShareRequest:
    req = _requests_scope(principal).filter(pk=request_id).first()
    if req is None:
        raise NotFound("未找到该共享申请。")
    return req


def request_timing(req: ShareRequest, today: dt.date | None = None) -> dict[str, Any]:
    """Deadline tracking in working days: taken, left, overdue."""
    today = today or timezone.localdate()
    end = req.decided_on or today
    taken = calendar.working_days_between(req.submitted_on, end)
    overdue = (req.decided_on or today) > req.due_date
    left = None if req.decided_on else calendar.working_days_between(today, req.due_date)
    late = -left if left is not None and left < 0 else 0  # shown as 已超期 n 个工作日
    return {
        "working_days_taken": taken,
        "working_days_left": left,
        "working_days_late": late,
        "overdue": overdue,
    }


def grants_for(principal: Principal) -> list[ShareGrant]:
    qs = ShareGrant.objects.select_related("resource")
    if principal.kind == "client":
        return list(
            qs.filter(
                consumer_department=principal.client_department,
                consumer_client__in=["", principal.client_id],
            )
        )
    depts = visible_departments(principal)
    if depts is not None:
        qs = qs.filter(Q(consumer_department__in=depts) | Q(resource__source_department__in=depts))
    return list(qs[:500])


def grant_for(principal: Principal, code: str) -> ShareGrant:
    depts = visible_departments(principal)
    qs = ShareGrant.objects.select_related("resource").filter(code=code)
    if depts is not None:
        qs = qs.filter(Q(consumer_department__in=depts) | Q(resource__source_department__in=depts))
    grant = qs.first()
    if grant is None:
        raise NotFound("未找到该共享授权。")
    return grant


# --- data spaces -------------------------------------------------------------------------------


def own_subject(principal: Principal, enterprise_uscc: str | None = None) -> tuple[str, str]:
    """The data subject whose space the caller opens: themself or an enterprise they act for."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind not in ("person", "agent") or not principal.id_number:
        raise Forbidden("数字空间仅向实名认证的个人和企业经办人开放。")
    if enterprise_uscc:
        if enterprise_uscc not in principal.enterprises:
            raise NotFound("未找到该企业的数字空间（您不是该企业的有效经办人）。")
        return "enterprise", enterprise_uscc
    return "person", principal.id_number


def consents_for(principal: Principal, enterprise_uscc: str | None = None) -> list[Consent]:
    kind, sid = own_subject(principal, enterprise_uscc)
    return list(
        Consent.objects.select_related("resource").filter(subject_kind=kind, subject_id=sid)[:200]
    )


def consent_for(principal: Principal, consent_id: int) -> Consent:
    """A consent of the caller's own subjects (their own or their enterprises'), else 404."""
    kind, sid = own_subject(principal)
    subjects = Q(subject_kind=kind, subject_id=sid)
    if principal.enterprises:
        subjects |= Q(subject_kind="enterprise", subject_id__in=principal.enterprises)
    consent = Consent.objects.select_related("resource").filter(subjects, pk=consent_id).first()
    if consent is None:
        raise NotFound("未找到该授权。")
    return consent


def consent_state(consent: Consent, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if consent.revoked_at is not None:
        return "revoked"
    if now >= consent.valid_until:
        return "expired"
    if now < consent.valid_from:
        return "pending"
    return "active"


def usage_for(
    principal: Principal, enterprise_uscc: str | None = None, limit: int = 200
) -> list[DataCall]:
    kind, sid = own_subject(principal, enterprise_uscc)
    return list(DataCall.objects.filter(subject_kind=kind, subject_id=sid)[:limit])


def my_data(principal: Principal, enterprise_uscc: str | None = None) -> list[dict[str, Any]]:
    """Each source's record about the caller (unmasked: it is their own data)."""
    kind, sid = own_subject(principal, enterprise_uscc)
    names = department_names()
    out = []
    for info in resources(subject_kind=kind):
        record = providers.fetch(info.provider, info.code, kind, sid)
        if record is None:
            continue
        out.append(
            {
                "resource": info,
                "department": info.source_department,
                "department_name": names.get(info.source_department, info.source_department),
                "updated_at": record.updated_at or info.last_updated_at,
                "fields": [
                    {
                        "name": f.name,
                        "title": f.title,
                        "value": record.data.get(f.name),
                        "source": f.source_resource,
                        "is_source": f.source_resource == info.code,
                    }
                    for f in info.fields
                ],
            }
        )
    return out


# --- quality -----------------------------------------------------------------------------------


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})


def quality(code: str | None = None, now: dt.datetime | None = None) -> list[QualityReport]:
    """Freshness, completeness and consistency (copies equal to their source) per resource."""
    infos = [resource_info(code)] if code else resources()
    open_issues = Counter(
        QualityIssue.objects.filter(status=QualityIssue.Status.OPEN).values_list(
            "resource__code", flat=True
        )
    )
    reports = []
    for info in infos:
        fresh, age = is_fresh(info, now)
        rows = list(
            RegistryRecord.objects.filter(resource__code=info.code).values_list(
                "subject_id", "data"
            )
        )
        complete = sum(1 for _, d in rows if all(_filled(d.get(f)) for f in info.field_names))
        copies = [f for f in info.fields if f.source_resource != info.code]
        checked = equal = 0
        inconsistent: list[dict[str, Any]] = []
        if copies and rows:
            by_source: dict[str, dict[str, Any]] = {}
            for source in {f.source_resource for f in copies}:
                ids = [sid for sid, _ in rows]
                by_source[source] = dict(
                    RegistryRecord.objects.filter(
                        resource__code=source, subject_id__in=ids
                    ).values_list("subject_id", "data")
                )
            for sid, data in rows:
                for f in copies:
                    src = by_source[f.source_resource].get(sid)
                    if src is None or not _filled(data.get(f.name)):
                        continue
                    checked += 1
                    if src.get(f.name) == data.get(f.name):
                        equal += 1
                    elif len(inconsistent) < 20:  # a list: personal data shown masked
                        rule = f.masking if f.personal else "none"
                        inconsistent.append(
                            {
                                "subject": masking.mask(
                                    "id_number" if info.subject_kind == "person" else "partial",
                                    sid,
                                ),
                                "field": f.name,
                                "value": masking.mask(rule, data.get(f.name))
                                if f.personal
                                else data.get(f.name),
                                "source_value": masking.mask(rule, src.get(f.name))
                                if f.personal
                                else src.get(f.name),
                                "source_resource": f.source_resource,
                            }
                        )
        reports.append(
            QualityReport(
                resource=info.code,
                name=info.name,
                source_department=info.source_department,
                update_frequency=info.update_frequency,
                last_updated_at=info.last_updated_at.isoformat(),
                fresh=fresh,
                age_days=age,
                records=len(rows),
                completeness=round(complete / len(rows), 4) if rows else None,
                consistency=round(equal / checked, 4) if checked else None,
                inconsistent=inconsistent,
                open_issues=open_issues.get(info.code, 0),
            )
        )
    return reports


def issues_for(principal: Principal, *, status: str = "") -> list[QualityIssue]:
    depts = visible_departments(principal)
    qs = QualityIssue.objects.select_related("resource")
    if depts is not None:
        qs = qs.filter(department__in=depts)
    if status:
        qs = qs.filter(status=status)
    return list(qs[:500])


def issue_for(principal: Principal, issue_id: int) -> QualityIssue:
    depts = visible_departments(principal)
    qs = QualityIssue.objects.select_related("resource").filter(pk=issue_id)
    if depts is not None:
        qs = qs.filter(department__in=depts)
    issue = qs.first()
    if issue is None:
        raise NotFound("未找到该纠错工单。")
    return issue


def issues_of_subject(principal: Principal, enterprise_uscc: str | None = None) -> list[Any]:
    kind, sid = own_subject(principal, enterprise_uscc)
    return list(
        QualityIssue.objects.select_related("resource").filter(subject_kind=kind, subject_id=sid)
    )


# --- dashboard ---------------------------------------------------------------------------------


def dashboard(principal: Principal, *, today: dt.date | None = None) -> dict[str, Any]:
    """Figures for data officers, over the departments they may see."""
    depts = visible_departments(principal)
    today = today or timezone.localdate()
    reqs = ShareRequest.objects.all()
    calls = DataCall.objects.all()
    issues = QualityIssue.objects.all()
    if depts is not None:
        reqs = reqs.filter(
            Q(consumer_department__in=depts) | Q(resource__source_department__in=depts)
        )
        codes = list(
            Resource.objects.filter(source_department__in=depts).values_list("code", flat=True)
        )
        calls = calls.filter(Q(resource_code__in=codes) | Q(consumer_department__in=depts))
        issues = issues.filter(department__in=depts)
    cal = calendar.snapshot()
    rows: list[dict[str, Any]] = [
        dict(r) for r in reqs.values("status", "instant", "submitted_on", "decided_on", "due_date")
    ]
    decided = [r for r in rows if r["decided_on"] and not r["instant"]]
    approved = [r for r in rows if r["status"] == ShareRequest.Status.APPROVED]
    pending = [r for r in rows if r["status"] == ShareRequest.Status.PENDING]
    taken = [cal.working_days_between(r["submitted_on"], r["decided_on"]) for r in decided]
    since = timezone.now() - dt.timedelta(days=30)
    recent = calls.filter(at__gte=since)
    per_day = {
        row["day"]: row["n"]
        for row in calls.filter(at__gte=timezone.now() - dt.timedelta(days=14))
        .annotate(day=TruncDate("at"))
        .values("day")
        .annotate(n=Count("id"))
    }
    days = [today - dt.timedelta(days=i) for i in range(13, -1, -1)]
    return {
        "requests_total": len(rows),
        "requests_pending": len(pending),
        "requests_overdue": sum(1 for r in pending if today > r["due_date"]),
        "decided_late": sum(1 for r in decided if r["decided_on"] > r["due_date"]),
        "approval_days_avg": round(sum(taken) / len(taken), 2) if taken else None,
        "approval_days_max": max(taken) if taken else None,
        "instant_share": round(sum(1 for r in approved if r["instant"]) / len(approved), 4)
        if approved
        else None,
        "approved": len(approved),
        "instant": sum(1 for r in approved if r["instant"]),
        "calls_per_day": [{"date": d.isoformat(), "calls": per_day.get(d, 0)} for d in days],
        "calls_30d": recent.count(),
        "refused_30d": recent.filter(outcome=DataCall.Outcome.REFUSED).count(),
        "top_consumers": list(
            recent.filter(outcome=DataCall.Outcome.OK)
            .values("consumer", "consumer_name")
            .annotate(calls=Count("id"))
            .order_by("-calls", "consumer")[:5]
        ),
        "quality_open": issues.filter(status=QualityIssue.Status.OPEN).count(),
        "quality_overdue": issues.filter(
            status=QualityIssue.Status.OPEN, due_date__lt=today
        ).count(),
    }
