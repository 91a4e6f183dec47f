"""Levels of an event's handling department (issue 19 item 5): 市 (a department of the city or
above) or 区县 (a department whose region lies in a 区县 of the city, or in a 镇街 of one).
``hand_up`` (区县 → 市) and ``hand_down`` (市 → 区县) are offered by these."""

from __future__ import annotations

from typing import Any

from shuzheng.core.codes import CodeError
from shuzheng.governance.selectors.access import district_of
from shuzheng.identity import facade as identity


def _district(region_code: str) -> str | None:
    """The 区县 of a region code; a 镇街's (9 or 12 digits) by its first six."""
    try:
        return district_of(region_code[:6])
    except CodeError:
        return None


def department_district(code: str) -> str | None:
    """The 区县 a department belongs to; None for a city-level (or unknown) department."""
    for d in identity.departments():  # cached per process
        if d.code == code:
            return _district(d.region_code)
    return None


def at_district_level(event: Any) -> bool:
    """Handled by a 区县's department (it may be handed up)."""
    return event is None or bool(event.department and department_district(event.department))


def at_city_level(event: Any) -> bool:
    """Handled by a city department (it may be handed down to the event's 区县)."""
    return event is None or bool(event.department and not department_district(event.department))


def district_departments(district: str) -> list[tuple[str, str]]:
    """(code, name) of the departments of a 区县 (the targets of ``hand_down``)."""
    return sorted(
        (d.code, d.name)
        for d in identity.departments()
        if district and _district(d.region_code) == district
    )


def city_departments() -> list[tuple[str, str]]:
    """(code, name) of the city-level departments (the targets of ``hand_up``)."""
    return sorted(
        (d.code, d.name)
        for d in identity.departments()
        if d.code.startswith("4412") and not _district(d.region_code)
    )
