"""Per-village statistics (分村统计): the aggregates of a registry (人口, 低保/特困, 高龄,
残疾人, 法人) by 村/社区 and period, as the source department's system publishes them, read by
granted government systems (填表报数's prefill) and corrected through 数据纠错.

- ``catalog_seed`` registers the resources of ``data/region_catalog.json`` (subject kind
  ``region``, 无条件共享) and onboards the systems listed there, each granted through the
  ordinary share request (秒享, audited). Idempotent.
- ``figures_publish`` stores a period's figures of some regions (audited).
- ``figures_read`` answers a system for one region and period: only items of resources its
  grants cover for the purpose; every call, answered or refused, writes one ``DataCall`` row per
  resource and one audit record in one transaction (as the data API does).
- ``correction_report_region`` files a 数据纠错 for a region's figure (the source department's
  task, due in 5 工作日); an identical open one is not filed twice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import cache, calendar
from shuzheng.core.errors import DomainError, FieldError, Forbidden, ValidationFailed
from shuzheng.exchange import fastpath, selectors
from shuzheng.exchange.contracts import RegionAnswer, RegionItem
from shuzheng.exchange.models import (
    Consumer,
    DataCall,
    DataItem,
    QualityIssue,
    RegionFigure,
    Resource,
    ResourceField,
    ShareGrant,
    ShareLevel,
    SubjectKind,
)
from shuzheng.exchange.services.common import PURPOSES
from shuzheng.exchange.services.data_api import _grant_for_call
from shuzheng.exchange.services.quality import CORRECTION_DEADLINE_WORKING_DAYS
from shuzheng.exchange.services.sharing import request_submit
from shuzheng.identity.contracts import Principal

CATALOG_FILE = Path(__file__).resolve().parent.parent / "data" / "region_catalog.json"
SEED_ACTOR = "system:seed_exchange"
PROVIDER = "region_figures"  # served from RegionFigure; not a per-subject provider


def _spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    return data


def items(keys: list[str] | None = None) -> dict[str, RegionItem]:
    """The per-region data items (all, or those of ``keys``)."""
    registry = {r["code"]: r.get("registry", "") for r in _spec()["resources"]}
    names = selectors.department_names()
    qs = DataItem.objects.filter(source_resource__subject_kind=SubjectKind.REGION)
    if keys is not None:
        qs = qs.filter(key__in=keys)
    return {
        key: RegionItem(
            key=key,
            title=title,
            resource_code=code,
            resource_name=name,
            registry=registry.get(code, ""),
            department=dept,
            department_name=names.get(dept, dept),
        )
        for key, title, code, name, dept in qs.values_list(
            "key",
            "title",
            "source_resource__code",
            "source_resource__name",
            "source_resource__source_department",
        )
    }


def catalog_seed() -> dict[str, int]:
    """Register the per-region resources and grant the listed systems (idempotent)."""
    spec = _spec()
    now = timezone.now()
    made = {"resources": 0, "grants": 0}
    with transaction.atomic():
        for r in spec["resources"]:
            resource, created = Resource.objects.get_or_create(
                code=r["code"],
                defaults={
                    "name": r["name"],
                    "summary": r["summary"],
                    "source_department": r["source_department"],
                    "subject_kind": SubjectKind.REGION,
                    "share_level": ShareLevel.UNCONDITIONAL,
                    "share_condition": "",
                    "open_level": "closed",
                    "update_frequency": r.get("update_frequency", "monthly"),
                    "consent_scope": "none",
                    "provider": PROVIDER,
                    "last_updated_at": now,
                    "published_on": timezone.localdate(now),
                    "is_demo": True,
                },
            )
            if not created:
                continue
            made["resources"] += 1
            for i, f in enumerate(r["fields"]):
                item = DataItem.objects.create(
                    key=f["name"], title=f["title"], source_resource=resource
                )
                ResourceField.objects.create(
                    resource=resource,
                    name=f["name"],
                    title=f["title"],
                    data_type=f.get("data_type", "integer"),
                    classification="general",
                    personal=False,
                    masking="none",
                    position=i,
                    item=item,
                )
            audit.record(
                actor=SEED_ACTOR,
                action="exchange.resource_registered",
                object_type="exchange.resource",
                object_id=resource.code,
                after={"name": resource.name, "subject_kind": SubjectKind.REGION},
            )
        cache.bump(fastpath.CATALOG)
    for c in spec["consumers"]:
        consumer, _ = Consumer.objects.get_or_create(
            client_id=c["client_id"],
            defaults={
                "name": c["name"],
                "kind": Consumer.Kind.GOVERNMENT,
                "department_code": c["department_code"],
                "is_demo": True,
            },
        )
        system = _client(consumer)
        today = timezone.localdate(now)
        for r in spec["resources"]:
            has = ShareGrant.objects.filter(
                resource__code=r["code"],
                consumer_client=consumer.client_id,
                purpose=c["purpose"],
                revoked_at__isnull=True,
                valid_until__gte=today,
            ).exists()
            if has:
                continue
            request_submit(
                principal=system,
                resource_code=r["code"],
                fields=[f["name"] for f in r["fields"]],
                purpose=c["purpose"],
                scenario=c["scenario"],
                legal_basis=c["legal_basis"],
                days=c["days"],
            )
            made["grants"] += 1
    return made


def _client(consumer: Consumer) -> Principal:
    return Principal(
        kind="client",
        name=consumer.name,
        client_id=consumer.client_id,
        client_kind=consumer.kind,
        client_department=consumer.department_code,
    )


def _region(code: str, where: str = "region") -> str:
    code = str(code or "").strip()
    if not (code.isdigit() and len(code) in (6, 9, 12)):
        raise ValidationFailed.one(where, "区划代码应为6、9或12位数字。")
    return code


def _period(period: str) -> str:
    period = str(period or "").strip()
    if not period or len(period) > 16:
        raise ValidationFailed.one("period", "统计期：请填写，如 2026-11、2026Q4 或 2026。")
    return period


def figures_publish(
    *, actor: str, resource_code: str, period: str, rows: dict[str, dict[str, Any]]
) -> int:
    """The source system publishes a period's figures for some regions (``rows``: region code
    → {item: value}); a region's figures replace what it held for the period. Audited once."""
    period = _period(period)
    resource = Resource.objects.filter(code=resource_code, subject_kind=SubjectKind.REGION).first()
    if resource is None:
        raise ValidationFailed.one("resource", "不是分区划统计资源。")
    allowed = set(resource.fields.values_list("name", flat=True))
    errors: list[FieldError] = []
    for region, data in rows.items():
        _region(region, f"rows.{region}")
        for key in data:
            if key not in allowed:
                errors.append(FieldError(f"rows.{region}.{key}", f"信息项 {key} 不属于该资源。"))
    if errors:
        raise ValidationFailed(errors)
    now = timezone.now()
    with transaction.atomic():
        have = {
            f.region: f
            for f in RegionFigure.objects.select_for_update().filter(
                resource=resource, period=period, region__in=list(rows)
            )
        }
        new, changed = [], []
        for region, data in rows.items():
            found = have.get(region)
            if found is None:
                new.append(
                    RegionFigure(
                        resource=resource, region=region, period=period, data=data, updated_at=now
                    )
                )
            elif found.data != data:
                found.data, found.updated_at = data, now
                changed.append(found)
        RegionFigure.objects.bulk_create(new, batch_size=500)
        RegionFigure.objects.bulk_update(changed, ["data", "updated_at"], batch_size=500)
        Resource.objects.filter(pk=resource.pk).update(last_updated_at=now, updated_at=now)
        cache.bump(fastpath.CATALOG)
        audit.record(
            actor=actor,
            action="exchange.region_figures_published",
            object_type="exchange.resource",
            object_id=resource.code,
            after={
                "period": period,
                "regions": len(rows),
                "new": len(new),
                "changed": len(changed),
            },
        )
    return len(new) + len(changed)


def figures_read(
    *, client_id: str, purpose: str, keys: list[str], region: str, period: str, actor: str
) -> RegionAnswer:
    """One region's figures for a period, for a government system with a valid grant covering
    the items and purpose. Items no grant covers come back in ``refused``. Logged and audited
    (``exchange.region_read``; on behalf of ``actor``) in one transaction."""
    consumer = Consumer.objects.filter(client_id=client_id, is_active=True).first()
    if consumer is None or consumer.kind != Consumer.Kind.GOVERNMENT:
        raise Forbidden("该系统未接入数据共享交换平台，或不是政务系统。")
    region, period = _region(region), _period(period)
    if purpose not in PURPOSES:
        raise ValidationFailed.one("purpose", "用途应为：" + "、".join(PURPOSES))
    if not keys:
        raise ValidationFailed.one("keys", "请列出要查询的分区划数据项。")
    known = items(list(dict.fromkeys(keys)))
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ValidationFailed.one("keys", "未登记的分区划数据项：" + "、".join(unknown))
    system = _client(consumer)
    by_resource: dict[str, list[str]] = {}
    for key, item in known.items():
        by_resource.setdefault(item.resource_code, []).append(key)
    resources = dict(Resource.objects.filter(code__in=list(by_resource)).values_list("code", "pk"))
    answer = RegionAnswer()
    calls: list[dict[str, Any]] = []
    now = timezone.now()
    for code, group in by_resource.items():
        info = selectors.resource_info(code)
        try:
            grant = _grant_for_call(system, info, resources[code], group, purpose)
        except DomainError as exc:
            for key in group:
                answer.refused[key] = exc.message
            calls.append({"resource": code, "fields": group, "basis": "", "error": exc})
            continue
        data = (
            RegionFigure.objects.filter(resource_id=resources[code], region=region, period=period)
            .values_list("data", flat=True)
            .first()
        )
        for key in group:
            answer.sources[key] = known[key]
            if data is not None and data.get(key) is not None:
                answer.values[key] = data[key]
        calls.append(
            {"resource": code, "fields": group, "basis": grant.code, "found": data is not None}
        )
    with transaction.atomic():
        first = 0
        for c in calls:
            error = c.get("error")
            pk = fastpath.insert_call(
                {
                    "at": now,
                    "consumer": client_id,
                    "consumer_name": consumer.name,
                    "consumer_department": consumer.department_code,
                    "resource_code": c["resource"],
                    "subject_kind": SubjectKind.REGION,
                    "subject_id": region,
                    "fields": c["fields"],
                    "purpose": purpose[:200],
                    "basis": c["basis"][:64],
                    "outcome": DataCall.Outcome.REFUSED if error else DataCall.Outcome.OK,
                    "reason": error.message[:300] if error else "",
                    "status": error.status if error else (200 if c.get("found") else 404),
                }
            )
            first = first or pk
        audit.record(
            actor=f"client:{client_id}",
            action="exchange.region_read" if not answer.refused else "exchange.region_refused",
            object_type="exchange.call",
            object_id=str(first),
            after={
                "on_behalf_of": actor,
                "region": region,
                "period": period,
                "purpose": purpose,
                "resources": [c["resource"] for c in calls],
                "items": sorted(answer.values),
                "refused": answer.refused,
            },
        )
    return answer


def correction_report_region(
    *,
    client_id: str,
    actor: str,
    key: str,
    region: str,
    period: str,
    current: Any,
    proposed: Any,
    reason: str,
) -> int:
    """数据纠错 for a region's figure, reported by a government system on behalf of ``actor``
    (a cadre who corrected a prefilled value): the source department's task, due in
    ``CORRECTION_DEADLINE_WORKING_DAYS`` 工作日. Returns the issue's id (an identical open
    issue is returned, not filed twice). Call inside the caller's transaction."""
    region, period = _region(region), _period(period)
    item = items([key]).get(key)
    if item is None:
        raise ValidationFailed.one("key", f"未登记的分区划数据项：{key}")
    if not Consumer.objects.filter(
        client_id=client_id, is_active=True, kind=Consumer.Kind.GOVERNMENT
    ).exists():
        raise Forbidden("该系统未接入数据共享交换平台，或不是政务系统。")
    proposed_text = str(proposed).strip()[:500]
    text = f"{period}期：{reason}".strip()[:500]
    with transaction.atomic():
        open_issue = (
            QualityIssue.objects.filter(
                resource__code=item.resource_code,
                field_name=key,
                subject_kind=SubjectKind.REGION,
                subject_id=region,
                status=QualityIssue.Status.OPEN,
                proposed_value=proposed_text,
                period=period,
            )
            .values_list("pk", flat=True)
            .first()
        )
        if open_issue is not None:
            return int(open_issue)
        now = timezone.now()
        issue = QualityIssue.objects.create(
            resource=Resource.objects.get(code=item.resource_code),
            field_name=key,
            subject_kind=SubjectKind.REGION,
            subject_id=region,
            department=item.department,
            reported_by=actor,
            current_value=current,
            proposed_value=proposed_text,
            reason=text,
            period=period,
            created_at=now,
            due_date=calendar.add_working_days(
                timezone.localdate(now), CORRECTION_DEADLINE_WORKING_DAYS
            ),
        )
        audit.record(
            actor=actor,
            action="exchange.correction_reported",
            object_type="exchange.issue",
            object_id=str(issue.pk),
            after={
                "resource": item.resource_code,
                "field": key,
                "subject": region,
                "period": period,
                "current": current,
                "proposed": proposed_text,
                "department": item.department,
                "due_date": issue.due_date.isoformat(),
                "via": f"client:{client_id}",
            },
        )
    return int(issue.pk)


def correction_resolve_region(
    *, principal: Principal, issue: QualityIssue, decision: str, note: str, value: str | None
) -> QualityIssue:
    """The source department's answer to a 数据纠错 of a per-region figure (called by
    ``quality.correction_resolve`` once the officer, state, decision and note are checked):
    更正 stores the corrected figure for the issue's region and period — the next read (the next
    prefill) gives it — audited before/after; 核实无误 closes it."""
    new_value: Any = None
    if decision == "correct":
        raw = str(value).strip() if value not in (None, "") else issue.proposed_value
        try:
            number = float(raw)
        except ValueError:
            number = float("nan")
        if number != number or number < 0:  # NaN or negative
            raise ValidationFailed.one("value", "更正后的值：应为不小于0的数字。")
        new_value = int(number) if number.is_integer() else number
    now = timezone.now()
    with transaction.atomic():
        before: dict[str, Any] = {"status": issue.status}
        after: dict[str, Any] = {}
        if decision == "correct":
            figure = (
                RegionFigure.objects.select_for_update()
                .filter(resource=issue.resource, region=issue.subject_id, period=issue.period)
                .first()
            )
            if figure is None:
                figure = RegionFigure(
                    resource=issue.resource,
                    region=issue.subject_id,
                    period=issue.period,
                    data={},
                    updated_at=now,
                )
            before[issue.field_name] = figure.data.get(issue.field_name)
            figure.data = {**figure.data, issue.field_name: new_value}
            figure.updated_at = now
            figure.save()
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
            region=issue.subject_id,
            period=issue.period,
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
