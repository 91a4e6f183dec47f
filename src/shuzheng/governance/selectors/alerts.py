"""Alerts the caller sees (center: all; a department: its indicators'; a 区县: its district's)."""

from __future__ import annotations

from shuzheng.core.errors import NotFound, ValidationFailed
from shuzheng.governance.contracts import AlertInfo
from shuzheng.governance.models import Alert, AlertStatus, Level
from shuzheng.governance.selectors.access import require_scope, roles_on_alert
from shuzheng.governance.selectors.indicators import district_label
from shuzheng.governance.transitions import ALERT_LIFECYCLE
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal


def alert_info(a: Alert, principal: Principal, names: dict[str, str]) -> AlertInfo:
    roles = roles_on_alert(principal, department=a.department, district=a.district)
    return AlertInfo(
        id=a.pk,
        indicator=a.indicator.code,
        indicator_name=a.indicator.name,
        unit=a.indicator.unit,
        district=a.district,
        district_name=district_label(a.district),
        level=a.level,
        level_label=str(Level(a.level).label),
        at=a.at,
        value=a.value,
        threshold=a.threshold,
        department=a.department,
        department_name=names.get(a.department, a.department),
        status=a.status,
        status_label=str(AlertStatus(a.status).label),
        raised_at=a.raised_at,
        confirmed_at=a.confirmed_at,
        cleared_at=a.cleared_at,
        note=a.note,
        allowed_actions=ALERT_LIFECYCLE.allowed(a.status, roles, a),
    )


def alerts_list(
    *,
    principal: Principal,
    status: str = "",
    level: str = "",
    district: str = "",
    indicator: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[AlertInfo]]:
    scope = require_scope(principal)
    qs = Alert.objects.filter(scope.row_q()).select_related("indicator")
    if status:
        if status == "active":
            qs = qs.filter(status__in=(AlertStatus.OPEN, AlertStatus.CONFIRMED))
        elif status in AlertStatus.values:
            qs = qs.filter(status=status)
        else:
            raise ValidationFailed.one("status", "状态只能是 open、confirmed、cleared 或 active")
    if level:
        if level not in (Level.YELLOW, Level.RED):
            raise ValidationFailed.one("level", "级别只能是 yellow 或 red")
        qs = qs.filter(level=level)
    if district:
        qs = qs.filter(district=district)
    if indicator:
        qs = qs.filter(indicator__code=indicator)
    limit = max(1, min(limit, 200))
    total = qs.count()
    names = identity.department_names()
    rows = qs.order_by("-raised_at", "-id")[offset : offset + limit]
    return total, [alert_info(a, principal, names) for a in rows]


def alert_get(*, principal: Principal, alert_id: int) -> AlertInfo:
    scope = require_scope(principal)
    a = Alert.objects.filter(scope.row_q(), pk=alert_id).select_related("indicator").first()
    if a is None:
        raise NotFound("未找到该预警。")
    return alert_info(a, principal, identity.department_names())
