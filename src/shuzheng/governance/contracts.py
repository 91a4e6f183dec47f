"""What other modules (and the API) receive from 一网统管: plain frozen dataclasses."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

CITY = "441200"
"""The district code of a city-wide reading (肇庆市 as a whole)."""


@dataclass(frozen=True)
class LatestValue:
    district: str
    district_name: str
    at: dt.datetime
    value: float
    level: str  # normal | yellow | red
    level_label: str


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit: str
    department: str
    department_name: str
    function: str
    function_label: str
    source: str
    frequency: str
    direction: str
    yellow: float | None
    red: float | None
    per_district: bool
    precision: int
    latest: list[LatestValue] = field(default_factory=list)

    @property
    def level(self) -> str:
        """The worst level over the districts shown (normal when nothing has been read)."""
        order = {"normal": 0, "yellow": 1, "red": 2}
        return max((v.level for v in self.latest), key=lambda x: order.get(x, 0), default="normal")


@dataclass(frozen=True)
class SeriesPoint:
    at: dt.datetime
    value: float
    district: str


@dataclass(frozen=True)
class AlertInfo:
    id: int
    indicator: str
    indicator_name: str
    unit: str
    district: str
    district_name: str
    level: str
    level_label: str
    at: dt.datetime
    value: float
    threshold: float
    department: str
    department_name: str
    status: str
    status_label: str
    raised_at: dt.datetime
    confirmed_at: dt.datetime | None
    cleared_at: dt.datetime | None
    note: str
    allowed_actions: list[str] = field(default_factory=list)


# --- 城市管理事件 (events, the closed loop) ----------------------------------------------------


@dataclass(frozen=True)
class EventStepInfo:
    action: str
    label: str
    status: str
    status_label: str
    actor_name: str
    note: str
    photos: list[dict[str, str]]
    at: dt.datetime


@dataclass(frozen=True)
class EventInfo:
    event_no: str
    status: str
    status_label: str
    category: str
    category_name: str
    kind_label: str
    source: str
    source_label: str
    level: int
    description: str
    address: str
    lat: float | None
    lng: float | None
    district: str
    district_name: str
    town_code: str
    grid: str
    grid_name: str
    reporter_name: str
    department: str
    department_name: str
    suggested_department: str
    checker: str
    checker_name: str
    photos: list[dict[str, str]]
    hotline_ticket_no: str
    outcome: str
    rework_count: int
    urge_count: int
    supervise_count: int
    rating: str
    created_at: dt.datetime
    filed_at: dt.datetime | None
    dispatched_at: dt.datetime | None
    due_at: dt.datetime | None
    closed_at: dt.datetime | None
    warning: str
    allowed_actions: list[str]
    steps: list[EventStepInfo] = field(default_factory=list)
