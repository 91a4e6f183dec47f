"""The public face of 一网统管: other modules (and this module's API and pages) call these.
Everything returned is a dataclass of ``contracts``, never an ORM row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from shuzheng.governance.contracts import AlertInfo, IndicatorInfo, SeriesPoint
from shuzheng.governance.selectors import alerts as alert_selectors
from shuzheng.governance.selectors import indicators as indicator_selectors
from shuzheng.governance.services import alerts as alert_services
from shuzheng.governance.services import readings as reading_services
from shuzheng.identity import facade as identity
from shuzheng.identity.contracts import Principal


@dataclass(frozen=True)
class IngestOutcome:
    accepted: int
    duplicates: int
    alerts: list[AlertInfo] = field(default_factory=list)
    cleared: list[int] = field(default_factory=list)


def readings_ingest(*, principal: Principal, items: Sequence[Any]) -> IngestOutcome:
    result = reading_services.readings_ingest(principal=principal, items=items)
    names = identity.department_names()
    return IngestOutcome(
        accepted=result.accepted,
        duplicates=result.duplicates,
        alerts=[alert_selectors.alert_info(a, principal, names) for a in result.alerts],
        cleared=[a.pk for a in result.cleared],
    )


def indicators_overview(*, principal: Principal) -> list[IndicatorInfo]:
    return indicator_selectors.indicators_overview(principal=principal)


def indicator_series(
    *,
    principal: Principal,
    code: str,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    district: str = "",
) -> tuple[IndicatorInfo, list[SeriesPoint], bool]:
    return indicator_selectors.indicator_series(
        principal=principal, code=code, start=start, end=end, district=district
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
    return alert_selectors.alerts_list(
        principal=principal,
        status=status,
        level=level,
        district=district,
        indicator=indicator,
        limit=limit,
        offset=offset,
    )


def alert_get(*, principal: Principal, alert_id: int) -> AlertInfo:
    return alert_selectors.alert_get(principal=principal, alert_id=alert_id)


def alert_act(*, principal: Principal, alert_id: int, action: str, note: str = "") -> AlertInfo:
    alert_services.alert_act(principal=principal, alert_id=alert_id, action=action, note=note)
    return alert_selectors.alert_get(principal=principal, alert_id=alert_id)
