"""Administrator endpoints: audit log and the working-day calendar."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from shuzheng.audit import facade as audit
from shuzheng.core.models import CalendarDay
from shuzheng.identity.facade import BearerAuth, principal_for_request, require_role

router = Router(tags=["console 平台管理"], auth=BearerAuth())


class AuditOut(Schema):
    seq: int | None = None  # None until chained (deferred mode, under a second)
    at: str
    actor: str
    action: str
    object_type: str
    object_id: str
    request_id: str
    hash: str


@router.get("/audit/records", response=list[AuditOut], summary="审计记录（平台管理员）")
def audit_records(
    request: HttpRequest, action: str | None = None, limit: int = 50
) -> list[AuditOut]:
    require_role(principal_for_request(request), "platform_admin")
    return [
        AuditOut(**{k: getattr(e, k) for k in AuditOut.model_fields})
        for e in audit.recent(limit, action)
    ]


class AuditVerifyOut(Schema):
    ok: bool
    checked: int
    first_broken_seq: int | None
    reason: str
    pending: int = 0  # records written during the walk, not yet chained


@router.get("/audit/verify", response=AuditVerifyOut, summary="校验审计链（平台管理员）")
def audit_verify(request: HttpRequest) -> AuditVerifyOut:
    require_role(principal_for_request(request), "platform_admin")
    r = audit.verify()
    return AuditVerifyOut(
        ok=r.ok,
        checked=r.checked,
        first_broken_seq=r.first_broken_seq,
        reason=r.reason,
        pending=r.pending,
    )


class DayIn(Schema):
    kind: CalendarDay.Kind
    name: str = ""


class CalendarDayOut(Schema):
    date: dt.date
    kind: str
    name: str


@router.put(
    "/calendar/days/{day}", response=CalendarDayOut, summary="设置节假日或调休（平台管理员）"
)
def calendar_day_set(request: HttpRequest, day: dt.date, body: DayIn) -> CalendarDayOut:
    principal = principal_for_request(request)
    require_role(principal, "platform_admin")
    from shuzheng.console import services

    row = services.calendar_day_set(actor=principal.actor, day=day, kind=body.kind, name=body.name)
    return CalendarDayOut(date=row.date, kind=row.kind, name=row.name)


@router.delete(
    "/calendar/days/{day}", response={204: None}, summary="删除节假日或调休（平台管理员）"
)
def calendar_day_delete(request: HttpRequest, day: dt.date) -> Status:
    principal = principal_for_request(request)
    require_role(principal, "platform_admin")
    from shuzheng.console import services

    services.calendar_day_delete(actor=principal.actor, day=day)
    return Status(204, None)
