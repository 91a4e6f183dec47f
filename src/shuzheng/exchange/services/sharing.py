"""Share requests (共享申请, 秒享 for 无条件共享 resources), decisions and grant revocation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import calendar
from shuzheng.core.errors import Conflict, Forbidden, Unauthenticated, ValidationFailed
from shuzheng.exchange import selectors
from shuzheng.exchange.models import Consumer, Resource, ShareGrant, ShareLevel, ShareRequest
from shuzheng.exchange.services.common import (
    PURPOSES,
    check_days,
    check_text,
    field_subset,
    refusals_audited,
    resource_for_input,
    short,
)
from shuzheng.identity.contracts import Principal

REQUEST_DEADLINE_WORKING_DAYS = 3  # the source data officer decides within 3 工作日
MAX_SHARE_DAYS = 1095
INSTANT_ACTOR = "system:秒享"


def _request_snapshot(req: ShareRequest) -> dict[str, Any]:
    return {
        "resource": req.resource.code,
        "consumer_department": req.consumer_department,
        "consumer_client": req.consumer_client,
        "fields": req.fields,
        "purpose": req.purpose,
        "scenario": req.scenario,
        "legal_basis": req.legal_basis,
        "days": req.days,
        "status": req.status,
        "due_date": req.due_date.isoformat(),
        "decided_by": req.decided_by,
    }


def _consumer_side(
    principal: Principal, consumer_department: str | None, consumer_client: str | None
) -> tuple[str, str]:
    """(department, client) asking for the data, after checking the caller may ask for it."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    if principal.kind == "client":
        if principal.client_kind != Consumer.Kind.GOVERNMENT or not principal.client_department:
            raise Forbidden("外部机构不能申请政务数据共享；个人数据请取得本人在数字空间中的授权。")
        if consumer_department and consumer_department != principal.client_department:
            raise Forbidden("接入系统只能为其所属部门申请。")
        return principal.client_department, principal.client_id
    mine = selectors.officer_departments(principal)
    if principal.kind != "staff" or not mine:
        raise Forbidden("只有部门数据管理员或政务系统可以申请数据共享。")
    dept = (consumer_department or "").strip()
    if not dept:
        if len(mine) != 1:
            raise ValidationFailed.one("consumer_department", "请选择申请部门。")
        dept = mine[0]
    if dept not in mine:
        raise Forbidden("您不是该部门的数据管理员，不能以该部门名义申请。")
    client = (consumer_client or "").strip()
    if (
        client
        and not Consumer.objects.filter(
            client_id=client, department_code=dept, kind=Consumer.Kind.GOVERNMENT
        ).exists()
    ):
        raise ValidationFailed.one("consumer_client", f"系统 {client} 不是该部门已接入的政务系统。")
    return dept, client


def request_submit(
    *,
    principal: Principal,
    resource_code: str,
    fields: list[str],
    purpose: str,
    scenario: str,
    legal_basis: str,
    days: int,
    consumer_department: str | None = None,
    consumer_client: str | None = None,
) -> ShareRequest:
    """File a share request. 无条件共享 resources are granted at once (秒享)."""
    with refusals_audited(
        principal,
        action="exchange.request_refused",
        object_type="exchange.resource",
        object_id=short(resource_code, 40),
        context={
            "consumer_department": short(consumer_department, 32),
            "consumer_client": short(consumer_client),
            "purpose": short(purpose, 16),
        },
    ):
        dept, client = _consumer_side(principal, consumer_department, consumer_client)
    info = resource_for_input(resource_code)
    if info.share_level == ShareLevel.NONE:
        raise ValidationFailed.one("resource", f"{info.name}为不予共享资源，不能申请。")
    names = field_subset(info, fields or [])
    if purpose not in PURPOSES:
        raise ValidationFailed.one(
            "purpose", "用途应为：" + "、".join(f"{k}（{v}）" for k, v in PURPOSES.items())
        )
    scenario = check_text(scenario, "scenario", "应用场景说明", min_len=4, max_len=200)
    legal_basis = check_text(legal_basis, "legal_basis", "法律依据", min_len=4, max_len=500)
    days = check_days(days, "days", MAX_SHARE_DAYS)
    now = timezone.now()
    today = timezone.localdate()
    instant = info.share_level == ShareLevel.UNCONDITIONAL
    with transaction.atomic():
        req = ShareRequest.objects.create(
            resource=Resource.objects.get(code=info.code),
            consumer_department=dept,
            consumer_client=client,
            fields=names,
            purpose=purpose,
            scenario=scenario,
            legal_basis=legal_basis,
            days=days,
            requested_by=principal.actor,
            submitted_at=now,
            submitted_on=today,
            due_date=calendar.add_working_days(today, REQUEST_DEADLINE_WORKING_DAYS),
        )
        audit.record(
            actor=principal.actor,
            action="exchange.request_submitted",
            object_type="exchange.request",
            object_id=str(req.pk),
            after=_request_snapshot(req),
        )
        if instant:
            _approve(req, actor=INSTANT_ACTOR, note="无条件共享资源，自动授权（秒享）。", now=now)
            req.instant = True
            req.save(update_fields=["instant"])
    return req


def _approve(
    req: ShareRequest, *, actor: str, note: str, now: dt.datetime, fields: list[str] | None = None
) -> ShareGrant:
    before = _request_snapshot(req)
    today = timezone.localdate(now)
    req.status = ShareRequest.Status.APPROVED
    req.decided_at, req.decided_on, req.decided_by, req.decision_note = now, today, actor, note
    req.save()
    grant = ShareGrant.objects.create(
        code=f"GX{today:%Y%m%d}{req.pk:06d}",
        request=req,
        resource=req.resource,
        consumer_department=req.consumer_department,
        consumer_client=req.consumer_client,
        fields=fields or req.fields,
        purpose=req.purpose,
        scenario=req.scenario,
        valid_from=today,
        valid_until=today + dt.timedelta(days=req.days),
    )
    audit.record(
        actor=actor,
        action="exchange.request_approved",
        object_type="exchange.request",
        object_id=str(req.pk),
        before=before,
        after={
            **_request_snapshot(req),
            "grant": grant.code,
            "grant_fields": grant.fields,
            "valid_until": grant.valid_until.isoformat(),
        },
    )
    return grant


def request_decide(
    *,
    principal: Principal,
    request_id: int,
    decision: str,
    note: str = "",
    fields: list[str] | None = None,
) -> ShareRequest:
    """The source department's data officer approves (possibly fewer fields) or denies."""
    if not principal.is_authenticated:
        raise Unauthenticated()
    with refusals_audited(
        principal,
        action="exchange.request_decision_refused",
        object_type="exchange.request",
        object_id=request_id,
        context={"decision": short(decision, 16)},
    ):
        if principal.kind != "staff" or not selectors.officer_departments(principal):
            raise Forbidden("只有数据提供部门的数据管理员可以审批共享申请。")
        req = selectors.request_for(principal, request_id)
        if not principal.has_role(selectors.DATA_OFFICER, req.resource.source_department):
            raise Forbidden("只有数据提供部门的数据管理员可以审批共享申请。")
        if req.requested_by == principal.actor:
            raise Forbidden("不能审批本人提交的共享申请。")
    if req.status != ShareRequest.Status.PENDING:
        raise Conflict(
            f"该申请已审核（{req.get_status_display()}），不能再次审批。",
            extra={"status": req.status},
        )
    if decision not in ("approve", "deny"):
        raise ValidationFailed.one("decision", "审批结果应为 approve（同意）或 deny（驳回）。")
    note = str(note or "").strip()[:1000]
    granted: list[str] | None = None
    if decision == "deny" and len(note) < 4:
        raise ValidationFailed.one("note", "驳回须说明理由（至少 4 个字）。")
    if decision == "approve" and fields:
        info = selectors.resource_info(req.resource.code)
        granted = field_subset(info, fields)
        extra = [f for f in granted if f not in req.fields]
        if extra:
            raise ValidationFailed.one("fields", "只能同意申请中的信息项：" + "、".join(extra))
    now = timezone.now()
    with transaction.atomic():
        locked = ShareRequest.objects.select_for_update().get(pk=req.pk)
        if locked.status != ShareRequest.Status.PENDING:
            raise Conflict("该申请已审核，不能再次审批。", extra={"status": locked.status})
        locked.resource = req.resource
        if decision == "approve":
            _approve(locked, actor=principal.actor, note=note, now=now, fields=granted)
        else:
            before = _request_snapshot(locked)
            locked.status = ShareRequest.Status.DENIED
            locked.decided_at, locked.decided_on = now, timezone.localdate(now)
            locked.decided_by, locked.decision_note = principal.actor, note
            locked.save()
            audit.record(
                actor=principal.actor,
                action="exchange.request_denied",
                object_type="exchange.request",
                object_id=str(locked.pk),
                before=before,
                after=_request_snapshot(locked),
            )
    return selectors.request_for(principal, req.pk)


def grant_revoke(*, principal: Principal, code: str, note: str) -> ShareGrant:
    """The source department's data officer withdraws a grant; calls are refused at once."""
    with refusals_audited(
        principal,
        action="exchange.grant_revoke_refused",
        object_type="exchange.grant",
        object_id=short(code, 32),
    ):
        grant = selectors.grant_for(principal, code)
        if not principal.has_role(selectors.DATA_OFFICER, grant.resource.source_department):
            raise Forbidden("只有数据提供部门的数据管理员可以撤销共享授权。")
    if grant.revoked_at is not None:
        raise Conflict("该授权已撤销。")
    note = check_text(note, "note", "撤销理由", min_len=4, max_len=500)
    with transaction.atomic():
        grant.revoked_at = timezone.now()
        grant.revoked_by = principal.actor
        grant.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(
            actor=principal.actor,
            action="exchange.grant_revoked",
            object_type="exchange.grant",
            object_id=grant.code,
            after={"revoked_at": grant.revoked_at.isoformat(), "note": note},
        )
    return grant
