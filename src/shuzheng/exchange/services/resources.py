"""The catalog's writes (一数一源): registering a resource and its fields, editing a field.

Every write bumps the catalog's cache version (``fastpath.CATALOG``) in its transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import cache
from shuzheng.core.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    Unauthenticated,
    ValidationFailed,
)
from shuzheng.exchange import codes, fastpath, selectors
from shuzheng.exchange.models import (
    Classification,
    ConsentScope,
    DataItem,
    Frequency,
    Masking,
    OpenLevel,
    Resource,
    ResourceField,
    ShareLevel,
    SubjectKind,
)
from shuzheng.exchange.services.common import (
    check_text,
    choice,
    refusal_record,
    refusals_audited,
    short,
)
from shuzheng.identity.contracts import Principal

FIELD_KEY_RE = re.compile(r"[a-z][a-z_]{1,30}\.[a-z][a-z_]{1,30}")


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
            context={"source_department": short(dept, 32), "name": short(spec.get("name"))},
        )
        raise refused
    if dept not in selectors.department_names():
        raise ValidationFailed.one("source_department", f"部门 {dept} 不存在。")
    name = check_text(spec.get("name"), "name", "信息资源名称", min_len=2, max_len=100)
    try:
        front = codes.check_front(
            str(spec.get("catalogue_class", "")),
            str(spec.get("item", "")),
            str(spec.get("catalogue", "")),
            str(spec.get("detail", "") or ""),
        )
    except codes.ResourceCodeError as exc:
        raise ValidationFailed.one("catalogue", str(exc)) from None
    subject_kind = choice(spec.get("subject_kind"), SubjectKind, "subject_kind", "数据主体")
    share_level = choice(spec.get("share_level"), ShareLevel, "share_level", "共享类型")
    open_level = choice(spec.get("open_level", "closed"), OpenLevel, "open_level", "开放属性")
    frequency = choice(spec.get("update_frequency"), Frequency, "update_frequency", "更新周期")
    consent = choice(spec.get("consent_scope", "none"), ConsentScope, "consent_scope", "授权要求")
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
    with refusals_audited(
        principal,
        action="exchange.field_update_refused",
        object_type="exchange.resource",
        object_id=short(code, 40),
        context={"field": short(field)},
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
        row.masking = choice(masking, Masking, "masking", "脱敏规则")
    if classification is not None:
        row.classification = choice(classification, Classification, "classification", "数据分级")
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
