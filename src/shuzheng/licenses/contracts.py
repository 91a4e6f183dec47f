"""Plain data the licenses module hands to other modules (never ORM rows)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LicenseRef:
    """What other modules need to know about one e-licence."""

    license_id: str
    type_code: str
    type_name: str
    license_no: str
    holder_kind: str  # "person" | "enterprise"
    holder_id: str
    holder_name: str
    department_code: str
    department_name: str
    status: str  # valid | suspended | revoked | expired (effective today)
    issued_on: dt.date
    valid_until: dt.date | None


@dataclass(frozen=True)
class ExpiryReminder:
    """到期提醒 of one licence, for the caller to deliver (message and SMS): who, and the words."""

    holder_kind: str  # "person" | "enterprise"
    holder_id: str
    license_id: str
    type_name: str
    valid_until: dt.date
    days_left: int
    days_before: int  # the threshold reached: 90 or 30
    title: str
    body: str
    link: str


@dataclass(frozen=True)
class LicenseFieldInfo:
    """One data item (照面信息) of a licence type, as its schema declares it."""

    name: str
    label: str
    type: str  # string | date | id_number | uscc | enum | decimal
    required: bool
    choices: tuple[str, ...] = ()
    # the item holds the band the holder's age falls in: (lowest age, words), ascending
    age_bands: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class LicenseTypeInfo:
    code: str
    name: str
    issuer_department: str
    holder_kinds: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]  # (name, label)
    replaces: tuple[str, ...] = ()
    field_specs: tuple[LicenseFieldInfo, ...] = ()  # the same items with type and choices


@dataclass(frozen=True)
class PresentationVerdict:
    """The answer to "is this 亮证 token good?"."""

    valid: bool
    reason: str
    message: str
    license_id: str = ""
    type_name: str = ""
    department_code: str = ""
    department_name: str = ""
    status: str = ""
    expires_at: dt.datetime | None = None
    fields: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
