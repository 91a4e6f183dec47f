"""All writes of the exchange: catalog registration (一数一源), share requests and decisions
(秒享), consents, data API calls (with the call log and the audit record), corrections.

Each service checks the caller's right itself, runs in one transaction and writes its audit
record inside it. A refused data API call is logged and audited too, then the refusal is raised
after the transaction has committed. Elsewhere, an authenticated caller's attempt refused at an
access check (403, or 404 for an object they may not see) is audited as ``…_refused`` with the
reason (``refusal_record``); bad input (422) and conflicts (409) change nothing and are not.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import re
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import cache, calendar
from shuzheng.core.codes import CodeError, validate_id_number, validate_uscc
from shuzheng.core.errors import (
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    NotFound,
    RateLimited,
    Unauthenticated,
    ValidationFailed,
)
from shuzheng.exchange import codes, fastpath, masking, providers, selectors
from shuzheng.exchange.contracts import CallResult, ResourceInfo, SubjectResult
from shuzheng.exchange.models import (
    Classification,
    Consent,
    ConsentScope,
    Consumer,
    DataCall,
    DataItem,
    Frequency,
    Masking,
    OpenLevel,
    QualityIssue,
    RateWindow,
    RegistryRecord,
    Resource,
    ResourceField,
    ShareGrant,
    ShareLevel,
    ShareRequest,
    SubjectKind,
)
from shuzheng.identity.contracts import Principal

REQUEST_DEADLINE_WORKING_DAYS = 3  # the source data officer decides within 3 工作日
CORRECTION_DEADLINE_WORKING_DAYS = 5
MAX_SHARE_DAYS = 1095
MAX_CONSENT_DAYS = 1095
MAX_BATCH = 100
INSTANT_ACTOR = "system:秒享"
FIELD_KEY_RE = re.compile(r"[a-z][a-z_]{1,30}\.[a-z][a-z_]{1,30}")
PURPOSES = dict(ShareRequest.Purpose.choices)


def _text(value: Any, field: str, label: str, *, min_len: int, max_len: int) -> str:
    text = str(value or "").strip()
    if len(text) < min_len:
        raise ValidationFailed.one(field, f"请填写{label}（至少 {min_len} 个字）。")
    if len(text) > max_len:
        raise ValidationFailed.one(field, f"{label}不能超过 {max_len} 个字。")
    return text


def _days(value: Any, field: str, maximum: int) -> int:
    try:
        days = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed.one(field, "期限应为天数（整数）。") from None
    if not 1 <= days <= maximum:
        raise ValidationFailed.one(field, f"期限应在 1 至 {maximum} 天之间。")
    return days


def _field_subset(info: ResourceInfo, wanted: Iterable[Any], field: str = "fields") -> list[str]:
    """The requested fields, each one a field of the resource; errors name every unknown one."""
    names: list[str] = []
    errors: list[FieldError] = []
    known = set(info.field_names)
    for i, raw in enumerate(wanted):
        name = str(raw).strip()
        if name not in known:
            errors.append(FieldError(f"{field}.{i}", f"信息项 {name} 不属于资源 {info.name}。"))
        elif name not in names:
            names.append(name)
    if errors:
        raise ValidationFailed(
            errors, message="未知信息项：" + "、".join(e.message.split(" ")[1] for e in errors)
        )
    if not names:
        raise ValidationFailed.one(field, "请至少选择一个信息项。")
    return names


def _resource_for_input(code: str, field: str = "resource") -> ResourceInfo:
    try:
        return selectors.resource_info(str(code or "").strip())
    except NotFound:
        raise ValidationFailed.one(field, f"信息资源 {code} 不存在。") from None


# --- refused attempts ----------------------------------------------------------------------------

# Refusals of access (the caller may not do this, or may not see the object) — not input errors
# (422) or conflicts with the object's state (409), which are the caller's to fix.
AUDITED_REFUSALS = (Forbidden, NotFound)


def refusal_record(
    principal: Principal,
    exc: DomainError,
    *,
    action: str,
    object_type: str,
    object_id: Any,
    context: dict[str, Any] | None = None,
) -> None:
    """Audit an authenticated caller's attempt that was refused access, like the data API audits
    its refused calls. The refusal changes nothing else; the record is written in a transaction
    of its own (so it stays when the refusal propagates). Anonymous attempts have no actor and
    stop at authentication; input errors and conflicts are not recorded."""
    if not principal.is_authenticated or not isinstance(exc, AUDITED_REFUSALS):
        return
    with transaction.atomic():
        audit.record(
            actor=principal.actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id or "")[:128],
            after={
                **(context or {}),
                "outcome": "refused",
                "reason": exc.message[:300],
                "status": exc.status,
            },
        )


@contextmanager
def _refusals_audited(
    principal: Principal,
    *,
    action: str,
    object_type: str,
    object_id: Any,
    context: dict[str, Any] | None = None,
) -> Iterator[None]:
    """Audit a Forbidden / NotFound raised by the access checks inside the block, then re-raise."""
    try:
        yield
    except AUDITED_REFUSALS as exc:
        refusal_record(
            principal,
            exc,
            action=action,
            object_type=object_type,
            object_id=object_id,
            context=context,
        )
        raise


def _short(value: Any, limit: int = 64) -> str:
    return str(value or "").strip()[:limit]


# --- catalog (一数一源) --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    name: str
    title: str
    data_type: str
    classification: str
    personal: bool
    masking: str
    source: bool


def _field_specs(raw: Any) -> list[FieldSpec]:
    if not isinstance(raw, list) or not raw:
        raise ValidationFailed.one("fields", "请至少登记一个信息项。")
    errors: list[FieldError] = []
    specs: list[FieldSpec] = []
    seen: set[str] = set()
    for i, f in enumerate(raw):
        f = f if isinstance(f, dict) else {}
        name = str(f.get("name", "")).strip()
        where = f"fields.{i}"
        if not FIELD_KEY_RE.fullmatch(name):
            errors.append(FieldError(f"{where}.name", "数据项标识应形如 person.name（小写英文）。"))
        elif name in seen:
            errors.append(FieldError(f"{where}.name", f"数据项 {name} 重复。"))
        seen.add(name)
        title = str(f.get("title", "")).strip()
        if not 1 <= len(title) <= 64:
            errors.append(FieldError(f"{where}.title", "请填写信息项名称（64 字以内）。"))
        data_type = str(f.get("data_type", "string"))
        if data_type not in ResourceField.DataType.values:
            errors.append(FieldError(f"{where}.data_type", "数据类型不在允许范围内。"))
        grade = str(f.get("classification", ""))
        if grade not in Classification.values:
            errors.append(FieldError(f"{where}.classification", "数据分级应为一般、重要或核心。"))
        rule = str(f.get("masking", Masking.NONE))
        if rule not in Masking.values:
            errors.append(FieldError(f"{where}.masking", "脱敏规则不在允许范围内。"))
        personal = bool(f.get("personal", False))
        if personal and rule == Masking.NONE:
            errors.append(FieldError(f"{where}.masking", "个人信息必须设定脱敏规则。"))
        specs.append(
            FieldSpec(name, title, data_type, grade, personal, rule, bool(f.get("source", True)))
        )
    if errors:
        raise ValidationFailed(errors)
    return specs


def _choice(value: Any, choices: Any, field: str, label: str) -> str:
    text = str(value or "")
    if text not in choices.values:
        raise ValidationFailed.one(
            field, f"{label}应为：" + "、".join(f"{v}（{n}）" for v, n in choices.choices)
        )
    return text


def resource_register(*, principal: Principal, spec: dict[str, Any]) -> Resource:
    """Register a resource in the catalog; its source fields claim their data items.

    一数一源: a data item already claimed by another resource is refused (409) and nothing is
    created. Fields marked ``source: false`` are copies and must name an existing item.
    """
    dept = str(spec.get("source_department", "")).strip()
    if not principal.has_role(selectors.DATA_OFFICER, dept) and not principal.is_platform_admin:
        if not principal.is_authenticated:
            raise Unauthenticated()
        refused = Forbidden("只有资源提供部门的数据管理员可以登记信息资源。")
        refusal_record(
            principal,
            refused,
            action="exchange.resource_register_refused",
            object_type="exchange.resource",
            object_id="",
            context={"source_department": _short(dept, 32), "name": _short(spec.get("name"))},
        )
        raise refused
    if dept not in selectors.department_names():
        raise ValidationFailed.one("source_department", f"部门 {dept} 不存在。")
    name = _text(spec.get("name"), "name", "信息资源名称", min_len=2, max_len=100)
    try:
        front = codes.check_front(
            str(spec.get("catalogue_class", "")),
            str(spec.get("item", "")),
            str(spec.get("catalogue", "")),
            str(spec.get("detail", "") or ""),
        )
    except codes.ResourceCodeError as exc:
        raise ValidationFailed.one("catalogue", str(exc)) from None
    subject_kind = _choice(spec.get("subject_kind"), SubjectKind, "subject_kind", "数据主体")
    share_level = _choice(spec.get("share_level"), ShareLevel, "share_level", "共享类型")
    open_level = _choice(spec.get("open_level", "closed"), OpenLevel, "open_level", "开放属性")
    frequency = _choice(spec.get("update_frequency"), Frequency, "update_frequency", "更新周期")
    consent = _choice(spec.get("consent_scope", "none"), ConsentScope, "consent_scope", "授权要求")
    share_condition = str(spec.get("share_condition", "")).strip()[:2000]
    if share_level == ShareLevel.CONDITIONAL and not share_condition:
        raise ValidationFailed.one("share_condition", "有条件共享的资源须写明共享条件。")
    fields = _field_specs(spec.get("fields"))
    existing = {i.key: i for i in DataItem.objects.select_related("source_resource")}
    errors: list[FieldError] = []
    for i, f in enumerate(fields):
        item = existing.get(f.name)
        if f.source and item is not None:
            src = item.source_resource
            errors.append(
                FieldError(
                    f"fields.{i}.name",
                    f"一数一源：数据项 {f.name}（{item.title}）的权威来源已是"
                    f"{src.name}（{src.code}），不能再由本资源登记为来源。",
                )
            )
        elif not f.source and item is None:
            errors.append(
                FieldError(f"fields.{i}.name", f"数据项 {f.name} 尚无权威来源，不能登记为副本。")
            )
    if any(e.message.startswith("一数一源") for e in errors):
        raise Conflict(errors[0].message, extra={"errors": [e.__dict__ for e in errors]})
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    try:
        with transaction.atomic():
            last = Resource.objects.filter(code__startswith=front + "/").aggregate(m=Max("code"))
            serial = int(last["m"].split("/")[1]) + 1 if last["m"] else 1
            resource = Resource.objects.create(
                code=codes.make(front, serial),
                name=name,
                summary=str(spec.get("summary", "")).strip()[:2000],
                source_department=dept,
                subject_kind=subject_kind,
                share_level=share_level,
                share_condition=share_condition,
                open_level=open_level,
                update_frequency=frequency,
                last_updated_at=now,
                owner_officer=principal.username,
                consent_scope=consent,
                provider=str(spec.get("provider") or "registry"),
                published_on=timezone.localdate(),
            )
            _create_fields(resource, fields, existing)
            cache.bump(fastpath.CATALOG)
            audit.record(
                actor=principal.actor,
                action="exchange.resource_registered",
                object_type="exchange.resource",
                object_id=resource.code,
                after=_resource_snapshot(resource),
            )
    except IntegrityError:
        raise Conflict("登记冲突：数据项已被其他资源同时登记为来源，请重试。") from None
    return resource


def _create_fields(
    resource: Resource, fields: list[FieldSpec], existing: dict[str, DataItem]
) -> None:
    for pos, f in enumerate(fields, start=1):
        item = existing.get(f.name)
        if f.source:
            item = DataItem.objects.create(key=f.name, title=f.title, source_resource=resource)
        assert item is not None
        ResourceField.objects.create(
            resource=resource,
            name=f.name,
            title=f.title,
            data_type=f.data_type,
            classification=f.classification,
            personal=f.personal,
            masking=f.masking,
            position=pos,
            item=item,
        )


def resource_field_update(
    *,
    principal: Principal,
    resource_code: str,
    field: str,
    masking: str | None = None,
    classification: str | None = None,
    personal: bool | None = None,
) -> ResourceField:
    """The source department's data officer changes a field's grade, personal flag or masking
    rule in place; the next data call applies it (audited before/after)."""
    code = str(resource_code or "").strip()
    with _refusals_audited(
        principal,
        action="exchange.field_update_refused",
        object_type="exchange.resource",
        object_id=_short(code, 40),
        context={"field": _short(field)},
    ):
        if not principal.is_authenticated:
            raise Unauthenticated()
        row = (
            ResourceField.objects.select_related("resource")
            .filter(resource__code=code, name=str(field or ""))
            .first()
        )
        if row is None:
            raise NotFound(f"信息资源 {code} 没有信息项 {field}。")
        dept = row.resource.source_department
        if not principal.has_role(selectors.DATA_OFFICER, dept) and not principal.is_platform_admin:
            raise Forbidden("只有资源提供部门的数据管理员可以修改信息项。")
    before = {
        "classification": row.classification,
        "personal": row.personal,
        "masking": row.masking,
    }
    if masking is not None:
        row.masking = _choice(masking, Masking, "masking", "脱敏规则")
    if classification is not None:
        row.classification = _choice(classification, Classification, "classification", "数据分级")
    if personal is not None:
        row.personal = bool(personal)
    if row.personal and row.masking == Masking.NONE:
        raise ValidationFailed.one("masking", "个人信息必须设定脱敏规则。")
    with transaction.atomic():
        row.save(update_fields=["masking", "classification", "personal"])
        cache.bump(fastpath.CATALOG)
        audit.record(
            actor=principal.actor,
            action="exchange.field_updated",
            object_type="exchange.resource",
            object_id=code,
            before={"field": row.name, **before},
            after={
                "field": row.name,
                "classification": row.classification,
                "personal": row.personal,
                "masking": row.masking,
            },
        )
    return row


def _resource_snapshot(resource: Resource) -> dict[str, Any]:
    return {
        "code": resource.code,
        "name": resource.name,
        "source_department": resource.source_department,
        "share_level": resource.share_level,
        "consent_scope": resource.consent_scope,
        "fields": list(resource.fields.values_list("name", flat=True)),
        "sources": list(resource.items.values_list("key", flat=True)),
    }


# --- share requests (共享申请, 秒享) -----------------------------------------------------------


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
    with _refusals_audited(
        principal,
        action="exchange.request_refused",
        object_type="exchange.resource",
        object_id=_short(resource_code, 40),
        context={
            "consumer_department": _short(consumer_department, 32),
            "consumer_client": _short(consumer_client),
            "purpose": _short(purpose, 16),
        },
    ):
        dept, client = _consumer_side(principal, consumer_department, consumer_client)
    info = _resource_for_input(resource_code)
    if info.share_level == ShareLevel.NONE:
        raise ValidationFailed.one("resource", f"{info.name}为不予共享资源，不能申请。")
    names = _field_subset(info, fields or [])
    if purpose not in PURPOSES:
        raise ValidationFailed.one(
            "purpose", "用途应为：" + "、".join(f"{k}（{v}）" for k, v in PURPOSES.items())
        )
    scenario = _text(scenario, "scenario", "应用场景说明", min_len=4, max_len=200)
    legal_basis = _text(legal_basis, "legal_basis", "法律依据", min_len=4, max_len=500)
    days = _days(days, "days", MAX_SHARE_DAYS)
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
    with _refusals_audited(
        principal,
        action="exchange.request_decision_refused",
        object_type="exchange.request",
        object_id=request_id,
        context={"decision": _short(decision, 16)},
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
        granted = _field_subset(info, fields)
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
    with _refusals_audited(
        principal,
        action="exchange.grant_revoke_refused",
        object_type="exchange.grant",
        object_id=_short(code, 32),
    ):
        grant = selectors.grant_for(principal, code)
        if not principal.has_role(selectors.DATA_OFFICER, grant.resource.source_department):
            raise Forbidden("只有数据提供部门的数据管理员可以撤销共享授权。")
    if grant.revoked_at is not None:
        raise Conflict("该授权已撤销。")
    note = _text(note, "note", "撤销理由", min_len=4, max_len=500)
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


# --- consents (数字空间授权) ---------------------------------------------------------------------


def consent_grant(
    *,
    principal: Principal,
    requester: str,
    resource_code: str,
    purpose: str,
    days: int,
    fields: list[str] | None = None,
    enterprise_uscc: str | None = None,
) -> Consent:
    """The data subject lets a named requester read chosen fields for a purpose and period."""
    with _refusals_audited(
        principal,
        action="exchange.consent_grant_refused",
        object_type="exchange.resource",
        object_id=_short(resource_code, 40),
        context={"requester": _short(requester), "enterprise": _short(enterprise_uscc, 18)},
    ):
        kind, sid = selectors.own_subject(principal, enterprise_uscc)
    consumer = Consumer.objects.filter(client_id=str(requester or ""), is_active=True).first()
    if consumer is None:
        raise ValidationFailed.one("requester", f"被授权方 {requester} 不是已接入的机构。")
    info = _resource_for_input(resource_code)
    if info.subject_kind != kind:
        raise ValidationFailed.one(
            "resource", f"{info.name}的数据主体是{SubjectKind(info.subject_kind).label}。"
        )
    if info.consent_scope == ConsentScope.NONE:
        raise ValidationFailed.one("resource", f"{info.name}仅用于政务共享，不能授权给其他机构。")
    names = info.field_names if fields is None else _field_subset(info, fields)
    purpose = _text(purpose, "purpose", "用途", min_len=2, max_len=200)
    days = _days(days, "days", MAX_CONSENT_DAYS)
    now = timezone.now()
    with transaction.atomic():
        consent = Consent.objects.create(
            subject_kind=kind,
            subject_id=sid,
            granted_by=principal.username,
            requester=consumer.client_id,
            requester_name=consumer.name,
            resource=Resource.objects.get(code=info.code),
            fields=names,
            purpose=purpose,
            valid_from=now,
            valid_until=now + dt.timedelta(days=days),
        )
        audit.record(
            actor=principal.actor,
            action="exchange.consent_granted",
            object_type="exchange.consent",
            object_id=str(consent.pk),
            after={
                "subject_kind": kind,
                "subject": sid,
                "requester": consumer.client_id,
                "resource": info.code,
                "fields": names,
                "purpose": purpose,
                "valid_until": consent.valid_until.isoformat(),
            },
        )
    return consent


def consent_revoke(*, principal: Principal, consent_id: int) -> Consent:
    """Revoke at once: the requester's very next call is refused."""
    with _refusals_audited(
        principal,
        action="exchange.consent_revoke_refused",
        object_type="exchange.consent",
        object_id=consent_id,
    ):
        consent = selectors.consent_for(principal, consent_id)
    if consent.revoked_at is not None:
        raise Conflict("该授权已撤销。")
    with transaction.atomic():
        consent.revoked_at = timezone.now()
        consent.save(update_fields=["revoked_at"])
        audit.record(
            actor=principal.actor,
            action="exchange.consent_revoked",
            object_type="exchange.consent",
            object_id=str(consent.pk),
            before={"revoked_at": None},
            after={"revoked_at": consent.revoked_at.isoformat(), "requester": consent.requester},
        )
    return consent


# --- the data API --------------------------------------------------------------------------------


class ConsentRequired(DomainError):
    def __init__(self, message: str):
        super().__init__(message=message, code="consent_required", status=403)


@dataclass
class _Call:
    """What is known about a call so far (for the log, whatever the outcome)."""

    principal: Principal
    resource_code: str
    subject_kind: str = ""
    subjects: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    purpose: str = ""
    basis: str = ""
    consumer_name: str = ""


def _check_subjects(info: ResourceInfo, raw: list[str]) -> list[str]:
    if not raw:
        raise ValidationFailed.one("subject", "请提供数据主体（公民身份号码或统一社会信用代码）。")
    if len(raw) > MAX_BATCH:
        raise ValidationFailed.one("subjects", f"批量查询一次最多 {MAX_BATCH} 个数据主体。")
    person = info.subject_kind == SubjectKind.PERSON
    checked: list[str] = []
    errors: list[FieldError] = []
    for i, value in enumerate(raw):
        where = "subject" if len(raw) == 1 else f"subjects.{i}"
        try:
            checked.append(
                validate_id_number(str(value)).id_number
                if person
                else validate_uscc(str(value)).uscc
            )
        except CodeError as exc:
            label = "公民身份号码" if person else "统一社会信用代码"
            errors.append(FieldError(where, f"数据主体应为{label}：{exc}"))
    if errors:
        raise ValidationFailed(errors)
    return list(dict.fromkeys(checked))


def _grant_for_call(
    principal: Principal,
    info: ResourceInfo,
    resource_id: int,
    fields: list[str] | None,
    purpose: str | None,
) -> fastpath.GrantRow:
    today = timezone.localdate()
    grants = fastpath.grants(resource_id, principal.client_department, principal.client_id)
    valid = [g for g in grants if not g.revoked and g.valid_from <= today <= g.valid_until]
    if purpose:
        if purpose not in PURPOSES:
            raise ValidationFailed.one("purpose", "用途应为：" + "、".join(PURPOSES))
        valid = [g for g in valid if g.purpose == purpose]
    if not valid:
        revoked = next((g for g in grants if g.revoked), None)
        expired = next((g for g in grants if g.valid_until < today), None)
        if revoked is not None:
            raise Forbidden(f"共享授权 {revoked.code} 已被数据提供部门撤销，不能再调用。")
        if expired is not None:
            raise Forbidden(
                f"共享授权 {expired.code} 已于 {expired.valid_until} 到期，请重新申请。"
            )
        if grants and purpose:
            raise Forbidden(f"没有用途为“{PURPOSES[purpose]}”的有效共享授权。")
        raise Forbidden(f"未获得{info.name}的共享授权，请先提交共享申请。")
    if not fields:
        return valid[0]
    for g in valid:
        if set(fields) <= set(g.fields):
            return g
    outside = [f for f in fields if f not in valid[0].fields]
    raise Forbidden(f"信息项 {'、'.join(outside)} 不在共享授权 {valid[0].code} 的范围内，已拒绝。")


def _consents_for_call(
    principal: Principal,
    info: ResourceInfo,
    resource_id: int,
    subjects: list[str],
    fields: list[str] | None,
) -> dict[str, fastpath.ConsentRow | str]:
    """Per subject: the valid consent covering the fields, or the reason there is none."""
    now = timezone.now()
    by_subject: dict[str, list[fastpath.ConsentRow]] = {}
    for c in fastpath.consents(principal.client_id, resource_id, subjects):
        by_subject.setdefault(c.subject_id, []).append(c)
    out: dict[str, fastpath.ConsentRow | str] = {}
    for sid in subjects:
        rows = by_subject.get(sid, [])
        valid = [c for c in rows if c.revoked_at is None and c.valid_from <= now < c.valid_until]
        found = next((c for c in valid if not fields or set(fields) <= set(c.fields)), None)
        if found is not None:
            out[sid] = found
        elif valid:
            missing = [f for f in (fields or []) if f not in valid[0].fields]
            out[sid] = f"数据主体本人未授权信息项 {'、'.join(missing)}。"
        elif rows and rows[0].revoked_at is not None:
            when = timezone.localtime(rows[0].revoked_at).strftime("%Y-%m-%d %H:%M")
            out[sid] = f"数据主体本人已于 {when} 撤销授权。"
        elif rows:
            out[sid] = "数据主体本人的授权已过期。"
        else:
            out[sid] = f"{info.name}须经数据主体本人在数字空间中授权后才能提供。"
    return out


_SQLITE_WRITER = threading.RLock()
_sqlite_lock_file: dict[str, int] = {}


def _sqlite_file_lock() -> int | None:
    """A lock file beside the SQLite database, so writers in other processes queue too."""
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in name:
        return None
    if name not in _sqlite_lock_file:
        _sqlite_lock_file[name] = os.open(name + ".exchange-lock", os.O_RDWR | os.O_CREAT, 0o600)
    return _sqlite_lock_file[name]


@contextmanager
def _call_log_transaction() -> Iterator[None]:
    """The call's write transaction. SQLite has one writer at a time and its busy handler
    sleeps in steps of up to 100 ms, so writers queue on locks that wake the next one at once:
    a thread lock within the process and ``flock`` on a lock file across processes."""
    if connection.vendor != "sqlite":
        with transaction.atomic():
            yield
        return
    with _SQLITE_WRITER:
        fd = _sqlite_file_lock()
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            with transaction.atomic():
                yield
        finally:
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)


def _minute() -> int:
    return int(timezone.now().timestamp() // 60)


def _counted(client_id: str, minute: int, count: int) -> int:
    """The count of a call just counted; the first call of a minute clears the client's
    windows older than five minutes."""
    if count == 1:
        RateWindow.objects.filter(client_id=client_id, minute__lt=minute - 5).delete()
    return count


def _rate_tick(consumer: fastpath.ConsumerRow) -> int:
    """Count this call in the client's current minute; returns the count (one statement)."""
    minute = _minute()
    return _counted(consumer.client_id, minute, fastpath.rate_tick(consumer.client_id, minute))


def _consumer(
    principal: Principal,
) -> tuple[fastpath.ConsumerRow | None, int | None, cache.Version | None]:
    """The calling system's consumer row, the call's count in its rate window if already
    counted, and the catalog's version if already read.

    PostgreSQL: all three in one statement (``fastpath.consumer_counted``), at the start of
    the call. Every call of a client in the same minute increments the same row; inside the
    call's write transaction the row stayed locked until its commit, so a client's calls ran
    one at a time (measured: 2.4 ms of lock wait per call at 8 connections); in a statement
    of its own the lock lasts that statement. The count is of attempts, so it stands whatever
    the call's outcome. SQLite writes one at a time anyway: there the count is taken in the
    call's write transaction (``_over_limit``)."""
    if connection.vendor != "postgresql":
        return fastpath.consumer(principal.client_id), None, None
    minute = _minute()
    consumer, count, version = fastpath.consumer_counted(principal.client_id, minute)
    if count is not None:
        count = _counted(principal.client_id, minute, count)
    return consumer, count, version


def _over_limit(consumer: fastpath.ConsumerRow, ticked: int | None) -> bool:
    """Whether this call passes the client's per-minute limit, counting it now unless
    ``_consumer`` already did (then in the call's write transaction)."""
    count = ticked if ticked is not None else _rate_tick(consumer)
    return count > consumer.rate_per_minute


def _finish(
    call: _Call,
    consumer: fastpath.ConsumerRow | None,
    ticked: int | None,
    *,
    results: list[SubjectResult] | None,
    error: DomainError | None,
) -> tuple[int, DomainError | None]:
    """Apply the rate limit and write the call's log and audit record; returns the first log
    row's id and the error the call ends with (the rate limit's, if it refused the call).

    On PostgreSQL with deferred chaining, a call already counted (``_consumer``) for one
    subject is written in one statement and needs no transaction (``audit.insert_audited``):
    three round trips fewer than BEGIN, two inserts and COMMIT."""
    if ticked is not None and consumer is not None and audit.one_statement():
        if ticked > consumer.rate_per_minute:
            results, error = None, _rate_limited(consumer)
        if len(results or call.subjects or ("",)) == 1:
            return _log(call, results=results, error=error), error
    with _call_log_transaction():
        if consumer is not None and _over_limit(consumer, ticked):
            results, error = None, _rate_limited(consumer)
        return _log(call, results=results, error=error), error


def _log(
    call: _Call,
    *,
    results: list[SubjectResult] | None,
    error: DomainError | None,
) -> int:
    """Write the call log rows and one audit record: in the caller's transaction, or for one
    row where ``audit.one_statement()`` holds, in a single statement of their own."""
    p = call.principal
    now = timezone.now()
    base = {
        "at": now,
        "consumer": p.client_id or p.actor,
        "consumer_name": call.consumer_name or p.name,
        "consumer_department": p.client_department,
        "resource_code": call.resource_code[:40],
        "subject_kind": call.subject_kind,
        "purpose": call.purpose[:200],
        "basis": call.basis[:64],
    }
    rows: list[dict[str, Any]] = []
    if results is not None:
        for r in results:
            rows.append(
                {
                    **base,
                    "subject_id": r.subject,
                    "fields": list(r.fields) if r.found else list(call.fields),
                    "outcome": DataCall.Outcome.REFUSED if r.error else DataCall.Outcome.OK,
                    "reason": (r.error or {}).get("message", "")[:300],
                    "status": 403 if r.error else (200 if r.found else 404),
                }
            )
    else:
        assert error is not None
        for sid in call.subjects or ("",):
            rows.append(
                {
                    **base,
                    "subject_id": sid,
                    "fields": list(call.fields),
                    "outcome": DataCall.Outcome.REFUSED,
                    "reason": error.message[:300],
                    "status": error.status,
                }
            )
    ok = error is None
    refusal = "" if error is None else error.message
    action = "exchange.data_read" if ok else "exchange.data_refused"
    after = {
        "consumer": p.client_id or p.actor,
        "resource": call.resource_code,
        "subject_kind": call.subject_kind,
        "subjects": list(call.subjects),
        "fields": list(call.fields),
        "purpose": call.purpose,
        "basis": call.basis,
        "outcome": "ok" if ok else "refused",
        "refused": {r.subject: r.error["message"] for r in results or [] if r.error}
        if ok
        else refusal,
        "status": 200 if error is None else error.status,
    }
    if len(rows) == 1 and audit.one_statement():
        return audit.insert_audited(
            DataCall,
            rows[0],
            actor=p.actor,
            action=action,
            object_type="exchange.call",
            after=after,
        )
    first = 0
    for row in rows:
        pk = fastpath.insert_call(row)
        first = first or pk
    audit.record(
        actor=p.actor, action=action, object_type="exchange.call", object_id=str(first), after=after
    )
    return first


def data_query(
    *,
    principal: Principal,
    resource_code: str,
    subjects: list[str],
    fields: list[str] | None = None,
    purpose: str | None = None,
) -> CallResult:
    """Answer a consumer's query for one or more subjects; refusals are logged and audited.

    Government systems need a valid share grant covering the fields; outside organisations need
    each subject's valid consent. Values are masked by grade, personal flag and purpose.
    """
    call = _Call(principal=principal, resource_code=str(resource_code or ""))
    call.subjects = tuple(str(s)[:18] for s in subjects if s)
    call.fields = tuple(str(f)[:64] for f in fields or ())
    call.purpose = str(purpose or "")
    consumer: fastpath.ConsumerRow | None = None
    ticked: int | None = None
    try:
        if not principal.is_authenticated:
            raise Unauthenticated()
        if principal.kind != "client":
            raise Forbidden("数据接口只接受接入系统以客户端凭证调用。")
        consumer, ticked, version = _consumer(principal)
        if consumer is None:
            raise Forbidden("该系统未在数据共享平台登记接入。")
        call.consumer_name = consumer.name
        found = fastpath.resource(call.resource_code, version)
        if found is None:
            raise NotFound(f"信息资源 {call.resource_code} 不存在。")
        info, resource_id = found
        call.subject_kind = info.subject_kind
        call.subjects = ()
        ids = _check_subjects(info, [str(s).strip() for s in subjects])
        call.subjects = tuple(ids)
        wanted = _field_subset(info, fields) if fields else None
        government = principal.client_kind == Consumer.Kind.GOVERNMENT
        if info.share_level == ShareLevel.NONE and government:
            raise Forbidden(f"{info.name}为不予共享资源。")
        consents: dict[str, fastpath.ConsentRow | str] = {}
        if government:
            grant = _grant_for_call(principal, info, resource_id, wanted, purpose)
            wanted = wanted or list(grant.fields)
            call.purpose, call.basis = grant.purpose, f"grant:{grant.code}"
            if info.consent_scope == ConsentScope.ALL:
                consents = _consents_for_call(principal, info, resource_id, ids, wanted)
        else:
            if info.consent_scope == ConsentScope.NONE:
                raise Forbidden(f"{info.name}不向外部机构提供。")
            consents = _consents_for_call(principal, info, resource_id, ids, wanted)
            call.basis = "consent"
            first = next((c for c in consents.values() if not isinstance(c, str)), None)
            call.purpose = first.purpose if first else call.purpose
        if len(ids) == 1 and isinstance(consents.get(ids[0]), str):
            raise ConsentRequired(str(consents[ids[0]]))
        call.fields = tuple(wanted or ())
        results = _answer(info, ids, wanted, consents, basis=call.basis, purpose=call.purpose)
        if len(ids) == 1 and not results[0].found:
            raise NotFound(f"{info.name}中没有该数据主体的记录。")
    except DomainError as exc:
        _, err = _finish(call, consumer, ticked, results=None, error=exc)
        assert err is not None
        raise err from None
    call_id, refused = _finish(call, consumer, ticked, results=results, error=None)
    if refused is not None:
        raise refused
    return CallResult(
        call_id=call_id,
        resource=info.code,
        resource_name=info.name,
        source_department=info.source_department,
        purpose=call.purpose,
        basis=call.basis,
        items=results,
    )


def _rate_limited(consumer: fastpath.ConsumerRow) -> RateLimited:
    return RateLimited(
        f"调用过于频繁：{consumer.name}每分钟最多调用 {consumer.rate_per_minute} 次，请稍后再试。"
    )


def _answer(
    info: ResourceInfo,
    ids: list[str],
    wanted: list[str] | None,
    consents: dict[str, fastpath.ConsentRow | str],
    *,
    basis: str,
    purpose: str,
) -> list[SubjectResult]:
    kind = "consent" if basis == "consent" else "grant"
    results: list[SubjectResult] = []
    for sid in ids:
        consent = consents.get(sid)
        if isinstance(consent, str):
            results.append(
                SubjectResult(
                    subject=sid,
                    found=False,
                    error={"code": "consent_required", "message": consent},
                )
            )
            continue
        names = wanted or (list(consent.fields) if consent is not None else info.field_names)
        record = providers.fetch(info.provider, info.code, info.subject_kind, sid)
        if record is None:
            results.append(SubjectResult(subject=sid, found=False))
            continue
        values: dict[str, Any] = {}
        masked: list[str] = []
        for name in names:
            f = info.field(name)
            if f is None:
                continue
            value = record.data.get(name)
            if masking.must_mask(
                classification=f.classification, personal=f.personal, basis=kind, purpose=purpose
            ):
                value = masking.mask(f.masking, value)
                masked.append(name)
            values[name] = value
        results.append(
            SubjectResult(
                subject=sid,
                found=True,
                fields=values,
                masked=masked,
                updated_at=(record.updated_at or info.last_updated_at).isoformat(),
            )
        )
    return results


# --- data quality (数据纠错) ---------------------------------------------------------------------


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
    with _refusals_audited(
        principal,
        action="exchange.correction_report_refused",
        object_type="exchange.resource",
        object_id=_short(resource_code, 40),
        context={"field": _short(field), "enterprise": _short(enterprise_uscc, 18)},
    ):
        kind, sid = selectors.own_subject(principal, enterprise_uscc)
    info = _resource_for_input(resource_code)
    if info.subject_kind != kind:
        raise ValidationFailed.one("resource", f"{info.name}不是关于您的数据。")
    if info.field(field) is None:
        raise ValidationFailed.one("field", f"信息项 {field} 不属于资源 {info.name}。")
    proposed = _text(proposed_value, "proposed_value", "正确的值", min_len=1, max_len=500)
    reason = _text(reason, "reason", "纠错理由", min_len=4, max_len=500)
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
    with _refusals_audited(
        principal,
        action="exchange.correction_resolve_refused",
        object_type="exchange.issue",
        object_id=issue_id,
        context={"decision": _short(decision, 16)},
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
    note = _text(note, "note", "处理说明", min_len=2, max_len=1000)
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
