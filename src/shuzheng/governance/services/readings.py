"""Readings in: validate a whole call (all or nothing), store each (indicator, district, at)
once, move each key's latest state, raise or clear alerts on a crossing."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from shuzheng.audit import facade as audit
from shuzheng.core import codes
from shuzheng.core.errors import FieldError, Forbidden, ValidationFailed
from shuzheng.governance.models import (
    CITY,
    Alert,
    Indicator,
    IndicatorState,
    Level,
    Reading,
    Source,
)
from shuzheng.governance.selectors.access import Scope, district_of, scope_of
from shuzheng.governance.services import alerts as alert_services
from shuzheng.governance.services.levels import level_of, rank
from shuzheng.identity.contracts import Principal

MAX_READINGS = 10_000
FUTURE_SLACK = dt.timedelta(minutes=5)
PAST_LIMIT = dt.timedelta(days=365)
MAX_ERRORS = 20
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    alerts: list[Alert] = field(default_factory=list)
    cleared: list[Alert] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    indicator: Indicator
    district: str
    at: dt.datetime
    value: float
    source: str


def _label(i: int) -> str:
    return f"第 {i + 1} 条读数"


def _parse_at(raw: Any) -> dt.datetime | None:
    value: dt.datetime | None
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = parse_datetime(raw.strip())
        except ValueError:
            return None
        if value is None:
            return None
    else:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_current_timezone())
    return value


def _parse_value(raw: Any) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return None
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _district(raw: Any, ind: Indicator) -> tuple[str | None, str]:
    """(district, error): the reading's district as the indicator's scope asks."""
    given = str(raw).strip() if raw not in (None, "") else ""
    if ind.region:
        if given and given != ind.region:
            name = codes.region_name(ind.region) or ind.region
            return None, f"该指标只属于{name}，区县应为 {ind.region} 或不填"
        return ind.region, ""
    if ind.per_district:
        if not given:
            return None, "该指标按区县上报，请填写区县（行政区划代码，如 441202）"
        if district_of(given) != given:
            return None, "区县不是肇庆市的区县行政区划代码"
        return given, ""
    if given and given != CITY:
        return None, f"该指标为全市指标，区县应为 {CITY} 或不填"
    return CITY, ""


def readings_validate(
    *, scope: Scope, items: Sequence[Any], default_source: str, now: dt.datetime
) -> list[_Row]:
    """Check every reading; raise ``ValidationFailed`` naming ``readings[i].<field>`` (the first
    ``MAX_ERRORS`` problems) and store nothing."""
    if not isinstance(items, list | tuple) or not items:
        raise ValidationFailed.one("readings", "读数列表不能为空")
    if len(items) > MAX_READINGS:
        raise ValidationFailed.one(
            "readings", f"一次最多上报 {MAX_READINGS:,} 条读数，本次 {len(items):,} 条"
        )
    wanted = {str(it.get("indicator", "")) for it in items if isinstance(it, dict)}
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=wanted, active=True)}
    errors: list[FieldError] = []
    rows: list[_Row] = []

    def err(i: int, name: str, text: str) -> None:
        errors.append(FieldError(f"readings[{i}].{name}", f"{_label(i)}：{text}"))

    for i, it in enumerate(items):
        if len(errors) >= MAX_ERRORS:
            break
        if not isinstance(it, dict):
            errors.append(FieldError(f"readings[{i}]", f"{_label(i)}：应为一个对象"))
            continue
        ind = indicators.get(str(it.get("indicator", "")))
        if ind is None:
            err(i, "indicator", "指标编码不存在或已停用")
            continue
        if ind.source != Source.PUSH:
            err(i, "indicator", f"指标「{ind.name}」由平台计算，不接受推送")
            continue
        if not scope.all and ind.department not in scope.departments:
            err(i, "indicator", f"无权上报指标「{ind.name}」")
            continue
        ok = True
        if "unit" in it and it["unit"] is not None and str(it["unit"]).strip() != ind.unit:
            err(i, "unit", f"计量单位应为「{ind.unit or '无'}」，收到「{it['unit']}」")
            ok = False
        value = _parse_value(it.get("value"))
        if value is None:
            err(i, "value", "数值必须是数字")
            ok = False
        at = _parse_at(it.get("at"))
        if at is None:
            err(i, "at", "时间格式应为 ISO 8601，如 2026-12-07T10:00:00+08:00")
            ok = False
        elif at > now + FUTURE_SLACK:
            err(i, "at", "时间晚于当前时间（超过 5 分钟）")
            ok = False
        elif at < now - PAST_LIMIT:
            err(i, "at", "时间早于一年前，不予接收")
            ok = False
        district, problem = _district(it.get("district"), ind)
        if problem:
            err(i, "district", problem)
            ok = False
        source = it.get("source")
        if source is not None and (not isinstance(source, str) or len(source) > 64):
            err(i, "source", "来源应为不超过 64 个字符的文字")
            ok = False
        if ok:
            assert value is not None and at is not None and district is not None
            rows.append(_Row(ind, district, at, value, (source or default_source)[:64]))
    if errors:
        raise ValidationFailed(
            errors,
            message=(
                f"有 {len(errors)} 处错误，本次读数均未保存：" + errors[0].message
                if len(errors) > 1
                else errors[0].message + "（本次读数均未保存）"
            ),
        )
    return rows


def readings_ingest(
    *, principal: Principal, items: Sequence[Any], now: dt.datetime | None = None
) -> IngestResult:
    """Store a call's readings (all or nothing) and evaluate thresholds; the reply of
    ``POST /api/v1/city/readings``."""
    scope = scope_of(principal)
    if not scope.may_push:
        raise Forbidden("无权上报城市运行体征指标读数。")
    now = now or timezone.now()
    rows = readings_validate(
        scope=scope,
        items=items,
        default_source=principal.client_id or principal.username,
        now=now,
    )
    return readings_store(rows=rows, actor=principal.actor, now=now)


def readings_store(*, rows: Sequence[_Row], actor: str, now: dt.datetime) -> IngestResult:
    """Insert new readings (a key seen before, or twice in the call, counts as a duplicate),
    then move the latest state of each key and raise/clear alerts — one transaction."""
    result = IngestResult()
    unique: dict[tuple[int, str, dt.datetime], _Row] = {}
    for r in rows:
        unique.setdefault((r.indicator.pk, r.district, r.at), r)
    with transaction.atomic():
        ind_ids = sorted({k[0] for k in unique})
        districts = sorted({k[1] for k in unique})
        ats = [k[2] for k in unique]
        existing = set(
            Reading.objects.filter(
                indicator_id__in=ind_ids,
                district__in=districts,
                at__gte=min(ats),
                at__lte=max(ats),
            ).values_list("indicator_id", "district", "at")
        )
        new = {k: r for k, r in unique.items() if k not in existing}
        Reading.objects.bulk_create(
            [
                Reading(
                    indicator=r.indicator,
                    district=r.district,
                    at=r.at,
                    value=r.value,
                    source=r.source,
                )
                for r in new.values()
            ],
            batch_size=2000,
            ignore_conflicts=True,
        )
        result.accepted = len(new)
        result.duplicates = len(rows) - len(new)
        if new:
            _evaluate(new=list(new.values()), result=result, actor=actor, now=now)
        audit.record(
            actor=actor,
            action="city.readings_received",
            object_type="governance.reading",
            object_id=",".join(sorted({r.indicator.code for r in rows}))[:200],
            after={
                "accepted": result.accepted,
                "duplicates": result.duplicates,
                "alerts": [a.pk for a in result.alerts],
                "cleared": [a.pk for a in result.cleared],
            },
        )
    return result


def _evaluate(*, new: list[_Row], result: IngestResult, actor: str, now: dt.datetime) -> None:
    newest: dict[tuple[int, str], _Row] = {}
    for r in new:
        key = (r.indicator.pk, r.district)
        if key not in newest or r.at > newest[key].at:
            newest[key] = r
    # the keys' current states, locked in id order (a key never read has none yet)
    states = {
        (i, d): (at, level)
        for i, d, at, level in IndicatorState.objects.select_for_update()
        .filter(indicator_id__in={k[0] for k in newest}, district__in={k[1] for k in newest})
        .order_by("id")
        .values_list("indicator_id", "district", "at", "level")
    }
    moved: list[IndicatorState] = []
    crossings: list[tuple[_Row, str, str]] = []  # reading, new level, previous level
    back: list[tuple[int, str]] = []
    for key, r in newest.items():
        prev_at, prev = states.get(key, (EPOCH, Level.NORMAL))
        if r.at <= prev_at:
            continue  # an older reading arrived late: the latest state stays
        level = level_of(r.indicator, r.value)
        if rank(level) > rank(prev):
            crossings.append((r, level, prev))
        elif level == Level.NORMAL and prev != Level.NORMAL:
            back.append(key)
        moved.append(
            IndicatorState(
                indicator_id=key[0], district=key[1], at=r.at, value=r.value, level=level
            )
        )
    # one upsert (INSERT … ON CONFLICT DO UPDATE through the ORM) instead of a CASE per row
    IndicatorState.objects.bulk_create(
        moved,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["indicator", "district"],
        update_fields=["at", "value", "level"],
    )
    if back:
        result.cleared.extend(alert_services.alerts_auto_clear(keys=back, actor=actor, now=now))
    if crossings:
        result.alerts.extend(alert_services.alerts_raise(crossings=crossings, actor=actor, now=now))
