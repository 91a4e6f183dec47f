"""Plain data the exchange hands to other modules and to its own API (never ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class FieldInfo:
    name: str  # the data item key, e.g. "person.marital_status"
    title: str
    data_type: str
    classification: str  # general | important | core
    personal: bool
    masking: str
    source_resource: str  # code of the item's authoritative resource (一数一源)

    @property
    def is_source(self) -> bool:
        return bool(self.source_resource)


@dataclass(frozen=True)
class ResourceInfo:
    code: str
    name: str
    summary: str
    source_department: str
    subject_kind: str
    share_level: str
    share_condition: str
    open_level: str
    update_frequency: str
    last_updated_at: dt.datetime
    owner_officer: str
    consent_scope: str
    provider: str
    published_on: dt.date
    fields: tuple[FieldInfo, ...] = ()

    @property
    def classification(self) -> str:
        """The resource's grade is its highest field grade (就高从严)."""
        order = {"general": 0, "important": 1, "core": 2}
        return max(
            (f.classification for f in self.fields), key=order.__getitem__, default="general"
        )

    def field(self, name: str) -> FieldInfo | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class SubjectResult:
    """One subject's answer in a data API call."""

    subject: str
    found: bool
    fields: dict[str, Any] = field(default_factory=dict)
    masked: list[str] = field(default_factory=list)
    updated_at: str | None = None
    error: dict[str, str] | None = None


@dataclass(frozen=True)
class CallResult:
    call_id: int
    resource: str
    resource_name: str
    source_department: str
    purpose: str
    basis: str  # "grant:<code>" or "consent"
    items: list[SubjectResult]


@dataclass(frozen=True)
class QualityReport:
    resource: str
    name: str
    source_department: str
    update_frequency: str
    last_updated_at: str
    fresh: bool
    age_days: int
    records: int
    completeness: float | None  # share of records with every field filled
    consistency: float | None  # share of copied values equal to their source (多源校核)
    inconsistent: list[dict[str, Any]] = field(default_factory=list)
    open_issues: int = 0


@dataclass(frozen=True)
class RegionItem:
    """A per-region data item and where it comes from (一数一源)."""

    key: str
    title: str
    resource_code: str
    resource_name: str
    registry: str  # the registry it aggregates: 人口, 低保/特困, 高龄, 残疾人, 法人
    department: str
    department_name: str


@dataclass
class RegionAnswer:
    """One region's figures for one period: ``values`` {item: value}; ``sources`` {item:
    RegionItem}; ``refused`` {item: why} for items no valid grant covers."""

    values: dict[str, Any] = field(default_factory=dict)
    sources: dict[str, RegionItem] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)
