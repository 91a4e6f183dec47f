"""Plain data the cases module hands out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CaseRef:
    """What other modules (ratings, licences) need to know about a case."""

    case_no: str
    item_code: str
    item_name: str
    department_code: str
    applicant_kind: str
    applicant_id: str
    submitted_by: str
    status: str
    channel: str
    assignee: str
    closed: bool
    decision: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PendingField:
    """One data item of a result licence left pending: its value from the case, or why the
    department has to fill it in (``missing``)."""

    name: str
    label: str
    type: str  # string | date | id_number | uscc | enum | decimal
    required: bool
    choices: tuple[str, ...]
    value: str  # from the case ("" when missing)
    missing: bool
    problem: str = ""  # the licence type's complaint about the case's value ("请填写残疾等级。")


@dataclass(frozen=True)
class PendingLicense:
    """A result licence the case could not fill (``result.license_pending``)."""

    case_no: str
    license_type: str
    fields: tuple[PendingField, ...]
    problems: tuple[str, ...] = ()  # problems that are not about a data item

    @property
    def missing(self) -> tuple[PendingField, ...]:
        return tuple(f for f in self.fields if f.missing)


@dataclass(frozen=True)
class CorrectionTarget:
    """Something a 补正 may ask for: a material to upload again or a form field to change."""

    kind: str  # material | field
    key: str  # the material's code (M2) or the field's name
    name: str  # what people read: the material's name or the field's title


@dataclass(frozen=True)
class CaseLink:
    """A case as the 12345 hotline may name it (issue 18 items 1a, 1e): its number, item,
    department and status in words — nothing of the applicant, the form or the materials."""

    case_no: str
    item_name: str
    department_code: str
    status: str
    status_name: str
    closed: bool
    submitted_at: str | None = None
