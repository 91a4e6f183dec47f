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
