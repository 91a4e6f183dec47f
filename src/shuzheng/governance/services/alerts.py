"""预警: raised on a crossing, cleared when the value is back within (system) or by people
(confirm/clear through ``transitions.ALERT_LIFECYCLE``). Each change audited in its
transaction; the owner department told after commit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from shuzheng.audit import facade as audit
from shuzheng.core import codes
from shuzheng.core.errors import Conflict, NotFound, ValidationFailed
from shuzheng.governance.models import CITY, Alert, AlertStatus, Level, Reading
from shuzheng.governance.selectors.access import require_scope, roles_on_alert
from shuzheng.governance.services.levels import threshold_of
from shuzheng.governance.transitions import ACTIVE, ALERT_LIFECYCLE
from shuzheng.identity.contracts import Principal
from shuzheng.notify import facade as notify


def district_name(code: str) -> str:
    return "全市" if code == CITY else (codes.region_name(code) or code)


def _snap(a: Alert) -> dict[str, Any]:
    return {
        "indicator": a.indicator.code,
        "district": a.district,
        "level": a.level,
        "value": a.value,
        "threshold": a.threshold,
        "status": a.status,
    }


def _tell_owner(alerts: list[Alert]) -> None:
    """After commit: one in-app message per alert to the owning department's inbox."""
    items = [
        (
            a.department,
            f"{a.get_level_display()}：{a.indicator.name}",
            (
                f"{district_name(a.district)}{a.indicator.name} {a.value:g}{a.indicator.unit}，"
                f"{'达到' if a.indicator.direction == 'above' else '低于'}"
                f"{a.get_level_display()}阈值 {a.threshold:g}{a.indicator.unit}。"
            ),
            f"/city/alerts/{a.pk}/",
        )
        for a in alerts
    ]

    def send() -> None:
        with transaction.atomic():
            for dept, title, body, link in items:
                notify.send(
                    recipient_kind="department",
                    recipient_id=dept,
                    title=title,
                    body=body,
                    link=link,
                    sms=False,
                )

    transaction.on_commit(send)


def alerts_raise(
    *, crossings: Sequence[tuple[Any, str, str]], actor: str, now: dt.datetime
) -> list[Alert]:
    """A new alert per crossing (reading, level, previous level); an active alert of the same key
    at a lower level is cleared as superseded (黄色 → 红色). Called inside ``readings_store``."""
    keys = [(r.indicator.pk, r.district) for r, _, _ in crossings]
    q = Q(pk__in=[])
    for ind, district in keys:
        q |= Q(indicator_id=ind, district=district)
    superseded = list(Alert.objects.select_for_update().filter(q, status__in=ACTIVE).order_by("id"))
    if superseded:
        _clear(superseded, actor=actor, now=now, note="升级为更高级别预警")
    # the readings' ids (bulk_create with ignore_conflicts does not return them)
    ids = {
        (i, d, at): pk
        for pk, i, d, at in Reading.objects.filter(
            indicator_id__in={k[0] for k in keys},
            district__in={k[1] for k in keys},
            at__in={r.at for r, _, _ in crossings},
        ).values_list("pk", "indicator_id", "district", "at")
    }
    alerts = Alert.objects.bulk_create(
        [
            Alert(
                indicator=r.indicator,
                district=r.district,
                level=level,
                reading_id=ids.get((r.indicator.pk, r.district, r.at)),
                at=r.at,
                value=r.value,
                threshold=threshold_of(r.indicator, level),
                department=r.indicator.department,
                status=AlertStatus.OPEN,
                raised_at=now,
            )
            for r, level, _ in crossings
        ]
    )
    for a in alerts:
        audit.record(
            actor=actor,
            action="city.alert_raised",
            object_type="governance.alert",
            object_id=str(a.pk),
            after=_snap(a),
        )
    _tell_owner(alerts)
    return alerts


def _clear(alerts: list[Alert], *, actor: str, now: dt.datetime, note: str) -> None:
    for a in alerts:
        before = _snap(a)
        a.status = AlertStatus.CLEARED
        a.cleared_at = now
        a.cleared_by = actor
        a.note = note[:500]
        audit.record(
            actor=actor,
            action="city.alert_auto_clear",
            object_type="governance.alert",
            object_id=str(a.pk),
            before=before,
            after=_snap(a),
        )
    Alert.objects.bulk_update(alerts, ["status", "cleared_at", "cleared_by", "note"])


def alerts_auto_clear(
    *, keys: Sequence[tuple[int, str]], actor: str, now: dt.datetime
) -> list[Alert]:
    """The value is back within the thresholds: clear the key's active alerts."""
    q = Q(pk__in=[])
    for ind, district in keys:
        q |= Q(indicator_id=ind, district=district)
    alerts = list(
        Alert.objects.select_for_update()
        .select_related("indicator")
        .filter(q, status__in=ACTIVE)
        .order_by("id")
    )
    if alerts:
        _clear(alerts, actor=actor, now=now, note="读数回到阈值以内")
    return alerts


def alert_act(
    *,
    principal: Principal,
    alert_id: int,
    action: str,
    note: str = "",
    now: dt.datetime | None = None,
) -> Alert:
    """确认 or 解除 an alert the caller sees: 404 if not theirs, 422 for an unknown action, 409
    with ``allowed_actions`` in a wrong state or without the right."""
    now = now or timezone.now()
    scope = require_scope(principal)
    with transaction.atomic():
        alert = (
            Alert.objects.select_for_update()
            .select_related("indicator")
            .filter(scope.row_q(), pk=alert_id)
            .first()
        )
        if alert is None:
            raise NotFound("未找到该预警。")
        roles = roles_on_alert(principal, department=alert.department, district=alert.district)
        allowed = ALERT_LIFECYCLE.allowed(alert.status, roles, alert)
        if action not in ALERT_LIFECYCLE or action == "auto_clear":
            raise ValidationFailed.one("action", "操作只能是 confirm（确认）或 clear（解除）")
        if len(note) > 500:
            raise ValidationFailed.one("note", "处理说明不能超过 500 个字")
        if action not in allowed:
            raise Conflict(
                f"预警当前为「{alert.get_status_display()}」，不能{ALERT_LIFECYCLE.label(action)}。",
                extra={"allowed_actions": allowed},
            )
        before = _snap(alert)
        t = ALERT_LIFECYCLE[action]
        alert.status = str(t.target)
        fields = ["status", "note"]
        if action == "confirm":
            alert.confirmed_at, alert.confirmed_by = now, principal.actor
            fields += ["confirmed_at", "confirmed_by"]
        else:
            alert.cleared_at, alert.cleared_by = now, principal.actor
            fields += ["cleared_at", "cleared_by"]
        alert.note = note or alert.note
        alert.save(update_fields=fields)
        audit.record(
            actor=principal.actor,
            action=f"city.alert_{action}",
            object_type="governance.alert",
            object_id=str(alert.pk),
            before=before,
            after=_snap(alert),
        )
    return alert


__all__ = ["Level", "alert_act", "alerts_auto_clear", "alerts_raise", "district_name"]
