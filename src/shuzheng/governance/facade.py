"""The public face of 一网统管: other modules (and this module's API and pages) call these.
Everything returned is a dataclass of ``contracts``, never an ORM row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shuzheng.governance.contracts import AlertInfo, EventInfo, IndicatorInfo, SeriesPoint
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


# --- 城市管理事件 (events, the closed loop) ----------------------------------------------------


def event_report(*, principal: Principal, data: dict[str, Any]) -> EventInfo:
    from shuzheng.governance.selectors import events as event_selectors
    from shuzheng.governance.services import events as event_services

    event = event_services.event_report(principal=principal, data=data)
    return event_selectors.event_info(event, principal)


def event_get(*, principal: Principal, event_no: str) -> EventInfo:
    from shuzheng.governance.selectors import events as event_selectors

    return event_selectors.event_info(event_selectors.event_for(principal, event_no), principal)


def event_act(
    *, principal: Principal, event_no: str, action: str, params: dict[str, Any]
) -> EventInfo:
    from shuzheng.governance.selectors import events as event_selectors
    from shuzheng.governance.services import events as event_services

    event = event_services.event_act(
        principal=principal, event_no=event_no, action=action, params=params
    )
    return event_selectors.event_info(event, principal)


def events_list(
    *,
    principal: Principal,
    status: str = "",
    district: str = "",
    department: str = "",
    mine: str = "",
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[EventInfo]]:
    from shuzheng.governance.selectors import events as event_selectors

    total, rows = event_selectors.events_list(
        principal=principal,
        status=status,
        district=district,
        department=department,
        mine=mine,
        limit=limit,
        offset=offset,
    )
    return total, [event_selectors.event_info(e, principal, steps=False) for e in rows]


def open_events_by_district(principal: Principal | None = None) -> dict[str, int]:
    from shuzheng.governance.selectors import events as event_selectors

    return event_selectors.open_events_by_district(principal)


def event_class_for_hotline(category_name: str) -> tuple[str, str] | None:
    """(code, name) of the event class a 12345 category of city management maps to, or None."""
    from shuzheng.governance.services import events as event_services

    cls = event_services.class_for_hotline_category(category_name)
    return (cls.code, cls.name) if cls else None


def event_from_ticket(
    *,
    principal: Principal,
    ticket_no: str,
    category: str,
    description: str,
    address: str,
    district: str,
    town_code: str,
) -> EventInfo:
    """One click from a 12345 ticket (the layer above both calls it: workbench)."""
    from shuzheng.governance.selectors import events as event_selectors
    from shuzheng.governance.services import events as event_services

    event = event_services.event_from_ticket(
        principal=principal,
        ticket_no=ticket_no,
        category=category,
        description=description,
        address=address,
        district=district,
        town_code=town_code,
    )
    return event_selectors.event_info(event, principal)


def on_event_closed(listener: Callable[[EventInfo], None]) -> None:
    """Tell ``listener`` (a module above governance, at start-up) about every event closed or
    rejected, inside the closing transaction."""
    from shuzheng.governance.selectors import events as event_selectors
    from shuzheng.governance.services import events as event_services

    def relay(event: Any) -> None:
        listener(event_selectors.event_info(event, event_services.SYSTEM, steps=False))

    event_services.register_close_listener(relay, key=listener)
