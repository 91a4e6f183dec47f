"""Plain data the catalog hands to other modules (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MaterialView:
    code: str  # material code within the item (M1…); in bundles "<item code>/<M1>"
    name: str
    form_kind: str
    required: bool
    count: int
    notes: str
    source: str
    license_type: str | None
    items: tuple[str, ...] = ()  # bundles: which member items need it


@dataclass(frozen=True)
class ItemView:
    code: str
    version: int
    status: str
    basic_code: str
    name: str
    aliases: list[str]
    item_type: str
    item_type_name: str
    exercise_level: int
    department: str
    department_name: str
    region_code: str
    applicant_types: list[str]
    themes: list[str]
    handling_type: str
    statutory_days: int
    promised_days: int
    online_depth: int
    instant_approval: bool
    effective_from: str | None
    effective_to: str | None
    spec: dict[str, Any]
    materials: list[MaterialView] = field(default_factory=list)

    @property
    def form_schema(self) -> dict[str, Any]:
        return dict(self.spec["form"]["schema"])

    @property
    def steps(self) -> list[str]:
        return list(self.spec["steps"])


@dataclass(frozen=True)
class BundleMember:
    code: str
    name: str
    department: str
    department_name: str
    promised_days: int
    statutory_days: int
    handling_type: str


@dataclass(frozen=True)
class BundleView:
    code: str
    version: int
    status: str
    name: str
    aliases: list[str]
    description: str
    themes: list[str]
    applicant_types: list[str]
    lead_department: str
    lead_department_name: str
    members: list[BundleMember]
    promised_days: int
    statutory_days: int
    form_schema: dict[str, Any]
    materials: list[MaterialView]
    questions: list[dict[str, Any]]
    effective_from: str | None
    spec: dict[str, Any]
    online: bool = False  # every member can be done fully online (全程网办)


@dataclass(frozen=True)
class GuideResult:
    """What a situation needs: the 导办 answer."""

    situations: list[str]
    materials: list[MaterialView]
    excluded_items: list[str] = field(default_factory=list)
    unanswered: list[str] = field(default_factory=list)
    # items: the answers that chose an option (question code → value), the chosen situations'
    # names, and the questions answered with something that is not one of their options
    answers: dict[str, str] = field(default_factory=dict)
    situation_names: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)
