"""Data quality (数据纠错): a subject reports a wrong value of their own data; the source
department corrects it (audited before/after) or explains it is right.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import cache, calendar
from shuzheng.core.errors import Conflict, Forbidden, ValidationFailed
from shuzheng.exchange import fastpath, providers, selectors
from shuzheng.exchange.models import QualityIssue, RegistryRecord, Resource
from shuzheng.exchange.services.common import (
    check_text,
    refusals_audited,
    resource_for_input,
    short,
)
from shuzheng.identity.contracts import Principal

CORRECTION_DEADLINE_WORKING_DAYS = 5


def correction_report(
    *,
    principal: Principal,
    resource_code: str,
    field: str,
    proposed_value: str,
    reason: str,
    enterprise_uscc: str | None = None,
) -> QualityIssue:
    """A person (or an enterprise's agent) reports a wrong value of their own data."""
    with refusals_audited(
        principal,
        action="exchange.correction_report_refused",
        object_type="exchange.resource",
        object_id=short(resource_code, 40),
        context={"field": short(field), "enterprise": short(enterprise_uscc, 18)},
    ):
        kind, sid = selectors.own_subject(principal, enterprise_uscc)
    info = resource_for_input(resource_code)
    if info.subject_kind != kind:
        raise ValidationFailed.one("resource", f"{info.name}不是关于您的数据。")
    if info.field(field) is None:
        raise ValidationFailed.one("field", f"信息项 {field} 不属于资源 {info.name}。")
    proposed = check_text(proposed_value, "proposed_value", "正确的值", min_len=1, max_len=500)
    reason = check_text(reason, "reason", "纠错理由", min_len=4, max_len=500)
    record = providers.fetch(info.provider, info.code, kind, sid)
    if record is None:
        raise ValidationFailed.one("resource", f"{info.name}中没有您的记录。")
    if QualityIssue.objects.filter(
        resource__code=info.code,
        field_name=field,
        subject_id=sid,
        status=QualityIssue.Status.OPEN,
    ).exists():
        raise Conflict("该信息项已有待处理的纠错，请等待处理结果。")
    now = timezone.now()
    with transaction.atomic():
        issue = QualityIssue.objects.create(
            resource=Resource.objects.get(code=info.code),
            field_name=field,
            subject_kind=kind,
            subject_id=sid,
            department=info.source_department,
            reported_by=principal.actor,
            current_value=record.data.get(field),
            proposed_value=proposed,
            reason=reason,
            created_at=now,
            due_date=calendar.add_working_days(
                timezone.localdate(now), CORRECTION_DEADLINE_WORKING_DAYS
            ),
        )
        audit.record(
            actor=principal.actor,
            action="exchange.correction_reported",
            object_type="exchange.issue",
            object_id=str(issue.pk),
            after={
                "resource": info.code,
                "field": field,
                "subject": sid,
                "current": issue.current_value,
                "proposed": proposed,
                "department": issue.department,
                "due_date": issue.due_date.isoformat(),
            },
        )
    return issue


EDITABLE_PROVIDERS = ("registry", "population", "legal_entity", "licences")


def correction_resolve(
    *,
    principal: Principal,
    issue_id: int,
    decision: str,
    note: str,
    value: str | None = None,
) -> QualityIssue:
    """The source department corrects the value (audited before/after) or explains it is right."""
    with refusals_audited(
        principal,
        action="exchange.correction_resolve_refused",
        object_type="exchange.issue",
        object_id=issue_id,
        context={"decision": short(decision, 16)},
    ):
        issue = selectors.issue_for(principal, issue_id)
        if not principal.has_role(selectors.DATA_OFFICER, issue.department):
            raise Forbidden("只有数据提供部门的数据管理员可以处理纠错。")
    if issue.status != QualityIssue.Status.OPEN:
        raise Conflict(f"该纠错已处理（{issue.get_status_display()}）。")
    if decision not in ("correct", "reject"):
        raise ValidationFailed.one(
            "decision", "处理结果应为 correct（更正）或 reject（核实无误）。"
        )
    note = check_text(note, "note", "处理说明", min_len=2, max_len=1000)
    if issue.subject_kind == "region":  # a per-village figure (分村统计): services/regional.py
        from shuzheng.exchange.services.regional import correction_resolve_region

        return correction_resolve_region(
            principal=principal, issue=issue, decision=decision, note=note, value=value
        )
    info = selectors.resource_info(issue.resource.code)
    new_value = str(value).strip() if value not in (None, "") else issue.proposed_value
    if decision == "correct" and info.provider not in EDITABLE_PROVIDERS:
        raise Conflict("该资源由源系统直接提供，请在源系统中更正。")
    now = timezone.now()
    with transaction.atomic():
        before: dict[str, Any] = {"status": issue.status}
        after: dict[str, Any] = {}
        if decision == "correct":
            record = (
                RegistryRecord.objects.select_for_update()
                .filter(resource=issue.resource, subject_id=issue.subject_id)
                .first()
            )
            if record is None:
                fetched = providers.fetch(
                    info.provider, info.code, issue.subject_kind, issue.subject_id
                )
                record = RegistryRecord.objects.create(
                    resource=issue.resource,
                    subject_kind=issue.subject_kind,
                    subject_id=issue.subject_id,
                    data=dict(fetched.data) if fetched else {},
                    updated_at=now,
                )
            before[issue.field_name] = record.data.get(issue.field_name)
            record.data = {**record.data, issue.field_name: new_value}
            record.updated_at = now
            record.save(update_fields=["data", "updated_at"])
            Resource.objects.filter(pk=issue.resource_id).update(
                last_updated_at=now, updated_at=now
            )
            cache.bump(fastpath.CATALOG)
            after[issue.field_name] = new_value
            issue.status = QualityIssue.Status.CORRECTED
        else:
            issue.status = QualityIssue.Status.REJECTED
        issue.resolved_at, issue.resolved_by, issue.resolution_note = now, principal.actor, note
        issue.save()
        after.update(
            status=issue.status,
            note=note,
            on_time=timezone.localdate(now) <= issue.due_date,
        )
        audit.record(
            actor=principal.actor,
            action="exchange.correction_resolved",
            object_type="exchange.issue",
            object_id=str(issue.pk),
            before=before,
            after=after,
        )
    return issue
